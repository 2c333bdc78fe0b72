using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Turns the current Python error into a .NET exception. Requires the GIL. The traceback formatter is taken
/// once, when the interpreter has started and before user code runs, and kept for the process: formatting an
/// error never imports (which would run <c>builtins.__import__</c>, or a module Python code put in <c>sys.modules</c>).
/// </summary>
internal static unsafe class PythonErrors
{
    private static nint s_formatException;
    private static bool s_captured;

    /// <summary>Takes <c>traceback.format_exception</c> for the process (GIL held, before user code runs).</summary>
    public static void CaptureTraceback()
    {
        if (s_captured)
        {
            return;
        }

        var traceback = Py.Import("traceback");
        s_formatException = traceback == 0 ? 0 : Py.GetAttr(traceback, "format_exception");
        LibPython.Py_DecRef(traceback);
        LibPython.PyErr_Clear();
        s_captured = true;
    }

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

    /// <summary>Gets <c>traceback.format_exception</c> (new reference), or 0: the captured one, or during start-up an import.</summary>
    private static nint FormatException()
    {
        if (s_captured)
        {
            LibPython.Py_IncRef(s_formatException); // accepts 0
            return s_formatException;
        }

        var traceback = Py.Import("traceback");
        var format = traceback == 0 ? 0 : Py.GetAttr(traceback, "format_exception");
        LibPython.Py_DecRef(traceback);
        return format;
    }

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
        var format = FormatException();
        if (format == 0)
        {
            LibPython.PyErr_Clear();
            return string.Empty;
        }

        LibPython.Py_IncRef(exc);
        var args = Py.Tuple(exc);
        var lines = Py.Call(format, args, 0, "traceback.format_exception");
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
