using PyHosting.Internal.Interop;

namespace PyHosting.Benchmarks;

/// <summary>
/// The floor for the call cases: the C API called directly through the runtime's own bindings, on the
/// interpreter the runtime started (same process, same GIL). A calling thread keeps one thread state, as
/// a thread that calls Python repeatedly would; the first call on a thread creates it.
/// </summary>
internal static unsafe class RawCalls
{
    [ThreadStatic]
    private static bool s_hasThreadState;

    /// <summary>Gets a new reference to <c>pyhosting_bench.noop</c>.</summary>
    public static nint Noop()
    {
        var gil = LibPython.PyGILState_Ensure();
        try
        {
            var module = Py.Import(BenchmarkRuntime.ModuleName);
            var function = Py.GetAttr(module, "noop");
            LibPython.Py_DecRef(module);
            return function == 0 ? throw new InvalidOperationException("pyhosting_bench.noop is missing.") : function;
        }
        finally
        {
            LibPython.PyGILState_Release(gil);
        }
    }

    /// <summary>Releases a reference taken by <see cref="Noop"/>.</summary>
    public static void Release(nint function)
    {
        var gil = LibPython.PyGILState_Ensure();
        LibPython.Py_DecRef(function);
        LibPython.PyGILState_Release(gil);
    }

    /// <summary><c>PyGILState_Ensure</c>, <c>PyObject_CallNoArgs</c>, drop the result, <c>PyGILState_Release</c>.</summary>
    public static void CallNoArgs(nint function)
    {
        KeepThreadState();
        var gil = LibPython.PyGILState_Ensure();
        var result = LibPython.PyObject_CallNoArgs(function);
        if (result == 0)
        {
            LibPython.PyErr_Clear();
        }
        else
        {
            LibPython.Py_DecRef(result);
        }

        LibPython.PyGILState_Release(gil);
    }

    /// <summary>Compiles and evaluates <c>1</c> in a fresh namespace and converts it, under the GIL.</summary>
    public static long EvalOne(nint globals)
    {
        KeepThreadState();
        var gil = LibPython.PyGILState_Ensure();
        try
        {
            nint code;
            fixed (byte* source = "1\0"u8)
            fixed (byte* name = "<string>\0"u8)
            {
                code = LibPython.Py_CompileString(source, name, 258); // Py_eval_input
            }

            var result = code == 0 ? 0 : LibPython.PyEval_EvalCode(code, globals, globals);
            LibPython.Py_DecRef(code);
            if (result == 0)
            {
                LibPython.PyErr_Clear();
                return -1;
            }

            var value = LibPython.PyLong_AsLongLong(result);
            LibPython.Py_DecRef(result);
            return value;
        }
        finally
        {
            LibPython.PyGILState_Release(gil);
        }
    }

    /// <summary>Gets a new reference to a dictionary usable as globals (with <c>__builtins__</c>).</summary>
    public static nint NewGlobals()
    {
        var gil = LibPython.PyGILState_Ensure();
        try
        {
            var globals = LibPython.PyDict_New();
            var builtins = Py.Import("builtins");
            fixed (byte* key = "__builtins__\0"u8)
            {
                _ = LibPython.PyDict_SetItemString(globals, key, builtins);
            }

            LibPython.Py_DecRef(builtins);
            return globals;
        }
        finally
        {
            LibPython.PyGILState_Release(gil);
        }
    }

    /// <summary>Creates this thread's thread state once and keeps it (the GIL released), so each call only swaps the GIL.</summary>
    private static void KeepThreadState()
    {
        if (!s_hasThreadState)
        {
            _ = LibPython.PyGILState_Ensure();
            _ = LibPython.PyEval_SaveThread();
            s_hasThreadState = true;
        }
    }
}
