using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Keeps one Python thread state per .NET thread that runs calls. Without it, every call on a pool
/// thread creates and destroys a thread state (and maps and unmaps its frame stack): about a third
/// of an empty call. Because a kept thread state would carry per-thread Python state from one call
/// into the next, each call runs in a fresh <c>contextvars</c> context and starts with an empty
/// thread dictionary (<c>threading.local</c> data), as it did with a new thread state.
/// </summary>
/// <remarks>A thread state is kept for as long as its .NET thread lives (one small allocation per pool thread that ever ran Python).</remarks>
internal static unsafe class PythonThreadState
{
    [ThreadStatic]
    private static bool t_kept;

    /// <summary>Takes the GIL on this thread, creating this thread's kept thread state the first time.</summary>
    /// <returns>The value to pass to <c>PyGILState_Release</c>.</returns>
    public static int Acquire()
    {
        if (!t_kept)
        {
            // Ensure creates the thread state with a counter of 1; releasing the GIL without Release keeps it.
            LibPython.PyGILState_Ensure();
            LibPython.PyEval_SaveThread();
            t_kept = true;
        }

        return LibPython.PyGILState_Ensure();
    }

    /// <summary>Starts a call's isolation (GIL held): a fresh context, an empty thread dictionary.</summary>
    /// <returns>The entered context, for <see cref="EndCall"/>.</returns>
    public static nint BeginCall()
    {
        var dict = LibPython.PyThreadState_GetDict();
        if (dict != 0 && LibPython.PyDict_Size(dict) > 0)
        {
            LibPython.PyDict_Clear(dict);
        }

        var context = LibPython.PyContext_New();
        if (context != 0 && LibPython.PyContext_Enter(context) < 0)
        {
            LibPython.PyErr_Clear();
            LibPython.Py_DecRef(context);
            return 0;
        }

        return context;
    }

    /// <summary>Ends a call's isolation (GIL held).</summary>
    public static void EndCall(nint context)
    {
        if (context == 0)
        {
            return;
        }

        nint type, value, traceback;
        LibPython.PyErr_Fetch(&type, &value, &traceback);
        if (LibPython.PyContext_Exit(context) < 0)
        {
            LibPython.PyErr_Clear();
        }

        LibPython.PyErr_Restore(type, value, traceback);
        LibPython.Py_DecRef(context);
        var dict = LibPython.PyThreadState_GetDict();
        if (dict != 0 && LibPython.PyDict_Size(dict) > 0)
        {
            LibPython.PyDict_Clear(dict);
        }
    }
}
