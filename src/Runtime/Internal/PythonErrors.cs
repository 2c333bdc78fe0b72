using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>Turns the current Python error into a .NET exception. Requires the GIL.</summary>
internal static unsafe class PythonErrors
{
    /// <summary>Fetches and clears the current Python error.</summary>
    public static PythonScriptException FromCurrent(string context)
    {
        var exc = Py.FetchError();
        if (exc == 0)
        {
            return new PythonScriptException("SystemError", $"{context} failed without a Python error", string.Empty);
        }

        try
        {
            return FromException(exc);
        }
        finally
        {
            LibPython.Py_DecRef(exc);
        }
    }

    /// <summary>Describes a Python exception object (borrowed).</summary>
    public static PythonScriptException FromException(nint exc)
    {
        var type = LibPython.PyObject_Type(exc);
        var typeName = QualifiedName(type);
        LibPython.Py_DecRef(type);
        var message = Py.Str(exc);
        return new PythonScriptException(typeName, message, FormatTraceback(exc));
    }

    public static bool IsInstance(nint exc, nint exceptionClass) => LibPython.PyErr_GivenExceptionMatches(exc, exceptionClass) != 0;

    private static string QualifiedName(nint type)
    {
        var module = Py.GetAttr(type, "__module__");
        var name = Py.GetAttr(type, "__qualname__");
        try
        {
            var m = module == 0 ? null : Py.ReadString(module);
            var n = name == 0 ? "Exception" : Py.ReadString(name) ?? "Exception";
            LibPython.PyErr_Clear();
            return string.IsNullOrEmpty(m) || m == "builtins" ? n : m + "." + n;
        }
        finally
        {
            if (module != 0)
            {
                LibPython.Py_DecRef(module);
            }

            if (name != 0)
            {
                LibPython.Py_DecRef(name);
            }
        }
    }

    private static string FormatTraceback(nint exc)
    {
        var traceback = Py.Import("traceback");
        if (traceback == 0)
        {
            LibPython.PyErr_Clear();
            return string.Empty;
        }

        var format = Py.GetAttr(traceback, "format_exception");
        LibPython.Py_DecRef(traceback);
        if (format == 0)
        {
            LibPython.PyErr_Clear();
            return string.Empty;
        }

        LibPython.Py_IncRef(exc);
        var args = Py.Tuple(exc);
        var lines = LibPython.PyObject_Call(format, args, 0);
        LibPython.Py_DecRef(args);
        LibPython.Py_DecRef(format);
        if (lines == 0)
        {
            LibPython.PyErr_Clear();
            return string.Empty;
        }

        try
        {
            return ValueConverter.ToClr(lines) is List<object?> list ? string.Concat(list) : string.Empty;
        }
        catch (InvalidCastException)
        {
            return string.Empty;
        }
        finally
        {
            LibPython.Py_DecRef(lines);
        }
    }
}
