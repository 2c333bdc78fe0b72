using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// The Python half of the Managed backend (<c>pyhosting_managed.py</c>), loaded on first use. GIL held.
/// Its namespace is process-wide: it lives in the one interpreter, whose modules are the process's.
/// </summary>
internal static unsafe class ManagedShim
{
    private static nint s_globals;

    public static nint Globals
    {
        get
        {
            if (s_globals == 0)
            {
                s_globals = EmbeddedPython.Run("pyhosting_managed.py");
            }

            return s_globals;
        }
    }

    /// <summary>Gets an attribute of the shim (borrowed reference).</summary>
    public static nint Get(string name)
    {
        fixed (byte* n = System.Text.Encoding.UTF8.GetBytes(name + "\0"))
        {
            return LibPython.PyDict_GetItemString(Globals, n);
        }
    }

    /// <summary>Calls a shim function, stealing <paramref name="args"/>; returns a new reference (throws on a Python error, leaving it set).</summary>
    public static nint Call(string function, params ReadOnlySpan<nint> args)
    {
        var f = Get(function);
        var tuple = Py.Tuple(args);
        var result = LibPython.PyObject_Call(f, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result;
    }
}
