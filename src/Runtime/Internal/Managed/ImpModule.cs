using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>
/// Patches <c>_imp</c>: <c>create_dynamic</c> (how every C extension is loaded) only loads the
/// standard library's own extensions and the registered native extensions (DESIGN §6). The
/// spec is read once and a fresh one with the checked name and host path is passed on.
/// </summary>
internal static unsafe class ImpModule
{
    /// <summary>Standard-library extensions that load arbitrary native code or reach files and the OS on their own.</summary>
    public static readonly HashSet<string> RestrictedDynload = new(StringComparer.Ordinal)
    {
        "_ctypes", "_ctypes_test", "_sqlite3", "_dbm", "_gdbm", "readline", "mmap", "resource", "_multiprocessing",
        "_posixshmem", "termios", "_xxsubinterpreters", "_xxinterpchannels", "_testcapi", "_testinternalcapi",
        "_testmultiphase", "_testbuffer", "_testclinic", "_testimportmultiple", "_xxtestfuzz", "_curses", "_curses_panel",
        "nis", "ossaudiodev", "_ssl", "xxlimited", "xxlimited_35", "_tkinter",
    };

    public static int Patch(nint module)
    {
        ModulePatcher.Replace(module, "_imp", "create_dynamic", CreateDynamic);
        return 0;
    }

    private static nint CreateDynamic(BridgeArgs args)
    {
        var backend = ManagedBackend.Current;
        var spec = args.Get(0, "spec");
        if (spec == 0)
        {
            throw new PythonArgumentException("create_dynamic() missing required argument 'spec'");
        }

        var name = ReadStringAttribute(spec, "name");
        var origin = ReadStringAttribute(spec, "origin");
        var runtimePath = ManagedPath.Resolve(backend.WorkingDirectory, origin);
        var (fs, inner, _) = backend.FileSystem.Route(runtimePath);
        var hostPath = fs.GetHostPath(inner) ?? throw ImportError(name, $"native extension '{name}' cannot be loaded from '{runtimePath}': the file has no host path");
        var top = name.Split('.')[0];
        var installation = backend.Installation!;
        var inDynload = Path.GetDirectoryName(hostPath) == installation.DynLoad;
        var registered = backend.Options.NativeExtensions.Any(e => e == name || e == top || name.StartsWith(e + ".", StringComparison.Ordinal));
        if (top is "_ctypes" or "_cffi_backend")
        {
            backend.CheckNativeAccess($"loading {top} (ctypes/cffi)");
        }
        else if (!registered && (!inDynload || RestrictedDynload.Contains(top)))
        {
            throw ImportError(name, $"native extension '{name}' is not registered in {ManagedBackend.NativeExtensionsKey}");
        }

        if (registered)
        {
            backend.CheckNativeAccess($"loading native extension '{name}'");
        }

        var nsType = LibPython.PyObject_Type(LibPython.PySys_GetObject((byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8("implementation")));
        var kwargs = LibPython.PyDict_New();
        var n = Py.NewString(name);
        var o = Py.NewString(hostPath);
        fixed (byte* kn = "name\0"u8)
        fixed (byte* ko = "origin\0"u8)
        {
            LibPython.PyDict_SetItemString(kwargs, kn, n);
            LibPython.PyDict_SetItemString(kwargs, ko, o);
        }

        LibPython.Py_DecRef(n);
        LibPython.Py_DecRef(o);
        var empty = LibPython.PyTuple_New(0);
        var freshSpec = LibPython.PyObject_Call(nsType, empty, kwargs);
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(kwargs);
        LibPython.Py_DecRef(nsType);
        if (freshSpec == 0)
        {
            return 0;
        }

        var call = Py.Tuple(freshSpec);
        var result = LibPython.PyObject_Call(ModulePatcher.Original("_imp", "create_dynamic"), call, 0);
        LibPython.Py_DecRef(call);
        return result;
    }

    private static string ReadStringAttribute(nint o, string name)
    {
        var value = Py.GetAttr(o, name);
        if (value == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException($"spec has no '{name}'");
        }

        try
        {
            return Py.IsInstanceOfFlag(value, Py.TpFlagsUnicodeSubclass)
                ? Py.ReadString(value) ?? throw new PythonArgumentException($"spec.{name} is not a valid string")
                : throw new PythonArgumentException($"spec.{name} must be str");
        }
        finally
        {
            LibPython.Py_DecRef(value);
        }
    }

    private static ImportDeniedException ImportError(string name, string message) => new(name, message);
}

/// <summary>An import refused by the Managed backend (Python sees <c>ImportError</c>).</summary>
internal sealed class ImportDeniedException(string moduleName, string message) : Exception(message)
{
    public string ModuleName { get; } = moduleName;
}
