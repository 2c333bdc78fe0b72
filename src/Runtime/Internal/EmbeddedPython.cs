using System.Text;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>Runs the runtime's own Python shims (embedded resources) in private namespaces. Requires the GIL.</summary>
internal static unsafe class EmbeddedPython
{
    public static string Source(string name)
    {
        using var stream = typeof(EmbeddedPython).Assembly.GetManifestResourceStream("PyHosting.Python." + name)
            ?? throw new InvalidOperationException($"Missing embedded Python source '{name}'.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Executes a shim and returns its namespace (new reference).</summary>
    public static nint Run(string name)
    {
        var globals = LibPython.PyDict_New();
        var builtins = Py.Import("builtins");
        fixed (byte* key = "__builtins__\0"u8)
        {
            LibPython.PyDict_SetItemString(globals, key, builtins);
        }

        LibPython.Py_DecRef(builtins);
        var src = Encoding.UTF8.GetBytes(Source(name) + "\0");
        var file = Encoding.UTF8.GetBytes("<pyhosting:" + name + ">\0");
        nint code;
        fixed (byte* s = src)
        fixed (byte* f = file)
        {
            code = LibPython.Py_CompileString(s, f, 257);
        }

        if (code == 0)
        {
            throw PythonErrors.FromCurrent(name);
        }

        var result = LibPython.PyEval_EvalCode(code, globals, globals);
        LibPython.Py_DecRef(code);
        if (result == 0)
        {
            LibPython.Py_DecRef(globals);
            throw PythonErrors.FromCurrent(name);
        }

        LibPython.Py_DecRef(result);
        return globals;
    }

    /// <summary>Calls a function of a shim namespace with the given arguments (references stolen); returns a new reference.</summary>
    public static nint Call(nint globals, string function, params ReadOnlySpan<nint> args)
    {
        var bytes = Encoding.UTF8.GetBytes(function + "\0");
        nint f;
        fixed (byte* n = bytes)
        {
            f = LibPython.PyDict_GetItemString(globals, n); // borrowed
        }

        if (f == 0)
        {
            throw new InvalidOperationException($"The shim has no function '{function}'.");
        }

        var tuple = Py.Tuple(args);
        var result = LibPython.PyObject_Call(f, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result == 0 ? throw PythonErrors.FromCurrent(function) : result;
    }
}
