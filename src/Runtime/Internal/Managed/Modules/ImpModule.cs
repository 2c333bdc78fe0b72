using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.Sqlite;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_imp</c>: <c>create_dynamic</c> (how every C extension is loaded) only loads the
/// standard library's own extensions and the registered native extensions (DESIGN §6). The
/// spec is read once, the file is mapped to its host path (native code is loaded by the
/// operating system, not through the runtime's file system), and a fresh spec with the checked
/// name and host path is passed on.
/// </summary>
/// <remarks>
/// What gets loaded is decided by the file and by the last part of the name (CPython calls
/// <c>PyInit_&lt;last part&gt;</c>), so both are checked: loading the standard library's
/// <c>_dbm</c> or <c>_ctypes</c> under another name is refused like loading them by name. <c>_sqlite3</c> needs no
/// registration: before it loads, the SQLite library it links gets the runtime's VFS as its only one
/// (<see cref="SqliteVfs"/>), under whatever name it is loaded.
/// </remarks>
internal sealed unsafe class ImpModule
{
    /// <summary>Standard-library extensions that load arbitrary native code or reach files and the OS on their own.</summary>
    public static readonly HashSet<string> RestrictedDynload = new(StringComparer.Ordinal)
    {
        "_uuid", // libuuid writes /var/lib/libuuid, talks to uuidd and reads the real clock; uuid.py works without it
        "_ctypes", "_ctypes_test", "_dbm", "_gdbm", "readline", "mmap", "resource", "_multiprocessing",
        "_posixshmem", "termios", "_xxsubinterpreters", "_xxinterpchannels", "_testcapi", "_testinternalcapi",
        "_testmultiphase", "_testbuffer", "_testclinic", "_testimportmultiple", "_xxtestfuzz", "_curses", "_curses_panel",
        "nis", "ossaudiodev", "_ssl", "xxlimited", "xxlimited_35", "_tkinter",
    };

    /// <summary>Extensions whose purpose is calling arbitrary native code: they need <c>NativeAccess</c>, not a registration.</summary>
    public static readonly HashSet<string> NativeAccessModules = new(StringComparer.Ordinal) { "_ctypes", "_cffi_backend" };

    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>Initializes a new instance of the <see cref="ImpModule"/> class, under <paramref name="backend"/>'s registrations.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public ImpModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    public int Patch(nint module)
    {
        _patcher.Replace(module, "_imp", "create_dynamic", "spec, file=None, /", CreateDynamic);
        _patcher.Replace(module, "_imp", "exec_dynamic", "mod, /", ExecDynamic);
        return 0;
    }

    /// <summary>Whether <paramref name="name"/> is a registered extension or inside a registered package.</summary>
    public static bool IsRegistered(IEnumerable<string> registered, string name) =>
        registered.Any(e => e == name || (name.Length > e.Length && name[e.Length] == '.' && name.StartsWith(e, StringComparison.Ordinal)));

    /// <summary>The module a file of lib-dynload holds: its name up to the first dot (<c>_sqlite3</c> for <c>_sqlite3.cpython-311-x86_64-linux-gnu.so</c>).</summary>
    public static string FileModuleName(string path)
    {
        var file = Path.GetFileName(path);
        var dot = file.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? file : file[..dot];
    }

    /// <summary>Refuses loading <paramref name="name"/> from <paramref name="hostPath"/> unless the permissions and registrations allow it.</summary>
    /// <exception cref="ImportDeniedException">The extension is not allowed.</exception>
    public static void CheckLoad(ManagedBackend backend, string name, string hostPath)
    {
        var options = backend.Options;
        var shortName = name[(name.LastIndexOf('.') + 1)..];
        var inDynload = backend.Installation is { } installation
            && string.Equals(Path.GetDirectoryName(hostPath), installation.DynLoad, StringComparison.Ordinal);
        var fileModule = inDynload ? FileModuleName(hostPath) : shortName;
        if (NativeAccessModules.Contains(shortName) || NativeAccessModules.Contains(fileModule))
        {
            if (!options.Permissions.NativeAccess)
            {
                var what = shortName == "_cffi_backend" || fileModule == "_cffi_backend" ? "cffi" : "ctypes";
                throw new ImportDeniedException(name, $"loading '{name}' ({what}: calls arbitrary native code) denied: {options.Key(ManagedBackend.NativeAccessKey)} is false", ManagedBackend.NativeAccessKey);
            }

            return;
        }

        var registered = IsRegistered(options.NativeExtensions, name) || (inDynload && IsRegistered(options.NativeExtensions, fileModule));
        if (!registered)
        {
            if (inDynload && !RestrictedDynload.Contains(fileModule) && !RestrictedDynload.Contains(shortName))
            {
                return; // the standard library's own extension: part of the runtime
            }

            var module = inDynload ? fileModule : name;
            throw new ImportDeniedException(name, $"native extension '{module}' is not registered in {options.Key(ManagedBackend.NativeExtensionsKey)}") { IsStandardLibraryProbe = inDynload };
        }

        // Registrations are validated at start; this holds for runtimes built without that validation.
        if (!options.Permissions.NativeAccess)
        {
            throw new ImportDeniedException(name, $"loading native extension '{name}' denied: {options.Key(ManagedBackend.NativeAccessKey)} is false", ManagedBackend.NativeAccessKey);
        }
    }

    private nint CreateDynamic(BridgeArgs args)
    {
        var backend = _backend;
        var spec = Arg.Required(args, 0, "spec");

        var name = ReadStringAttribute(spec, "name");
        var origin = ReadStringAttribute(spec, "origin");
        var runtimePath = ManagedPath.Resolve(backend.WorkingDirectory, origin);
        var (fs, inner, _) = backend.FileSystem.Route(runtimePath);
        var hostPath = fs.GetHostPath(inner);
        CheckLoad(backend, name, hostPath ?? runtimePath);
        if (hostPath is null)
        {
            throw new ImportDeniedException(name, $"native extension '{name}' cannot be loaded from '{runtimePath}': the file has no host path (native code loads only from a directory mounted from the host)");
        }

        if (IsSqlite(backend, name, hostPath))
        {
            // Before _sqlite3 exists, the SQLite library it links has the runtime's VFS as its only one (see SqliteVfs).
            var failure = SqliteVfs.Install(backend);
            if (failure is not null)
            {
                throw new ImportDeniedException(name, $"sqlite3 is not available: {failure}; SQLite must reach files only through the runtime's file system");
            }
        }

        var freshSpec = NewSpec(name, hostPath);
        if (freshSpec == 0)
        {
            return 0;
        }

        var call = Py.Tuple(freshSpec);
        var result = Py.Call(ModulePatcher.Original("_imp", "create_dynamic"), call, 0, "_imp.create_dynamic");
        LibPython.Py_DecRef(call);
        if (result != 0 && hostPath != origin)
        {
            ShowRuntimePath(result, hostPath, origin);
        }

        if (result != 0 && IsStandardExtension(backend, hostPath, "_testcapi"))
        {
            _patcher.Replace(result, "_testcapi", "run_in_subinterp", "code, /", RefuseSubinterpreter);
        }

        return result;
    }

    private static bool IsStandardExtension(ManagedBackend backend, string hostPath, string module) =>
        backend.Installation is { } installation
        && string.Equals(Path.GetDirectoryName(hostPath), installation.DynLoad, StringComparison.Ordinal)
        && FileModuleName(hostPath) == module;

    /// <summary>
    /// <c>_testcapi.run_in_subinterp</c> (CPython's test helper, loadable only when registered) starts a subinterpreter with
    /// no current thread state, which no audit hook sees; its start-up then fails in the Managed backend (its frozen
    /// modules are bytecode the runtime does not trust) and CPython 3.11 aborts the process on that error path.
    /// </summary>
    private nint RefuseSubinterpreter(BridgeArgs args)
    {
        CompatibilityLog.Unsupported(_backend.Compatibility, "_testcapi.run_in_subinterp: subinterpreters are not supported by the managed backend");
        Py.SetError(LibPython.ExcRuntimeError, "sub-interpreter creation failed: subinterpreters are not supported by the managed backend");
        throw new PythonErrorException();
    }

    /// <summary>Whether the extension is the standard library's <c>_sqlite3</c>, under whatever name.</summary>
    private static bool IsSqlite(ManagedBackend backend, string name, string hostPath) =>
        name[(name.LastIndexOf('.') + 1)..] == "_sqlite3"
        || (backend.Installation is { } installation
            && string.Equals(Path.GetDirectoryName(hostPath), installation.DynLoad, StringComparison.Ordinal)
            && FileModuleName(hostPath) == "_sqlite3");

    /// <summary>
    /// Runs an extension module's initialisation, then restores SQLite's VFS table: <c>_sqlite3</c> shuts SQLite down
    /// when its initialisation fails, and the next start of SQLite would register the operating system's VFSes again.
    /// </summary>
    private nint ExecDynamic(BridgeArgs args)
    {
        var result = args.Forward(ModulePatcher.Original("_imp", "exec_dynamic"));
        var failure = SqliteVfs.Reassert();
        if (failure is null && result != 0 && SqliteVfs.Installed is not null)
        {
            failure = SqliteModule.PatchIfSqlite(_backend, Arg.Required(args, 0, "mod"));
        }

        if (failure is null && result != 0)
        {
            SocketModule.PatchIfSsl(_backend, Arg.Required(args, 0, "mod"));
        }

        if (failure is not null)
        {
            if (result != 0)
            {
                LibPython.Py_DecRef(result);
            }

            throw new ImportDeniedException("_sqlite3", $"sqlite3 is not available: {failure}");
        }

        return result;
    }

    /// <summary>
    /// CPython sets a single-phase extension's <c>__file__</c> to the path it loaded (here the host
    /// path): Python code sees the path in its own file system instead, as for every other module.
    /// </summary>
    private static void ShowRuntimePath(nint module, string hostPath, string origin)
    {
        var file = Py.GetAttr(module, "__file__");
        if (file == 0)
        {
            LibPython.PyErr_Clear();
            return;
        }

        var isHostPath = Py.IsInstanceOfFlag(file, Py.TpFlagsUnicodeSubclass) && Py.ReadString(file) == hostPath;
        LibPython.Py_DecRef(file);
        if (!isHostPath)
        {
            return;
        }

        var value = Py.NewString(origin);
        if (Py.SetAttr(module, "__file__", value) < 0)
        {
            LibPython.PyErr_Clear();
        }

        LibPython.Py_DecRef(value);
    }

    /// <summary>
    /// A <c>SimpleNamespace(name=..., origin=...)</c>: all the original reads, and nothing Python code can change meanwhile.
    /// The type is CPython's own (<c>_PyNamespace_Type</c>), never looked up through <c>sys</c>, which Python code can change.
    /// </summary>
    private static nint NewSpec(string name, string hostPath)
    {
        var namespaceType = LibPython.Export("_PyNamespace_Type"); // a static type: no reference to take
        var kwargs = LibPython.PyDict_New();
        if (kwargs == 0)
        {
            return 0;
        }

        var n = Py.NewString(name);
        var o = Py.NewString(hostPath);
        var set = 0;
        fixed (byte* kn = "name\0"u8)
        fixed (byte* ko = "origin\0"u8)
        {
            set = n == 0 || o == 0 ? -1 : LibPython.PyDict_SetItemString(kwargs, kn, n) | LibPython.PyDict_SetItemString(kwargs, ko, o);
        }

        LibPython.Py_DecRef(n);
        LibPython.Py_DecRef(o);
        var empty = LibPython.PyTuple_New(0);
        var spec = set < 0 ? 0 : Py.Call(namespaceType, empty, kwargs, "types.SimpleNamespace");
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(kwargs);
        return spec;
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
}

/// <summary>An import refused by the Managed backend (Python sees <c>ImportError</c>).</summary>
/// <param name="moduleName">The module that was being imported.</param>
/// <param name="message">The message, naming the configuration key that decides.</param>
/// <param name="permissionKey">The key reported to logs and metrics.</param>
internal sealed class ImportDeniedException(string moduleName, string message, string permissionKey = ManagedBackend.NativeExtensionsKey) : Exception(message)
{
    public string ModuleName { get; } = moduleName;

    public string PermissionKey { get; } = permissionKey;

    /// <summary>
    /// Gets a value indicating whether the module is one of the Python home's own extensions that the Managed backend
    /// restricts: the standard library imports those with a fallback (<c>uuid</c> tries <c>_uuid</c>), so the refusal is
    /// logged as a compatibility note, not as a denial.
    /// </summary>
    public bool IsStandardLibraryProbe { get; init; }
}
