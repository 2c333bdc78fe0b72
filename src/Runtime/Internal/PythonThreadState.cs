using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Keeps one Python thread state per .NET thread that runs calls. Without it, every call on a pool
/// thread creates and destroys a thread state (and maps and unmaps its frame stack): about a third
/// of an empty call. Because a kept thread state would carry per-thread Python state from one call
/// into the next, each call runs in a fresh <c>contextvars</c> context and starts with an empty
/// thread dictionary (<c>threading.local</c> data), as it did with a new thread state.
/// </summary>
/// <remarks>
/// A thread state is kept for as long as its .NET thread lives. When the thread pool retires a
/// thread, its owner object becomes unreachable; its finalizer only queues the thread state, which
/// the next call deletes while it holds the GIL (a finalizer never waits for the GIL).
/// </remarks>
internal static unsafe class PythonThreadState
{
    private static readonly System.Collections.Concurrent.ConcurrentQueue<nint> Retired = new();

    // The thread states that are idle whenever no call runs: the start thread's, and those of threads that ran calls.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<nint, byte> IdleAtStop = new();
    private static int s_freed;

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static Owner? t_owner;
    #pragma warning restore IDE1006

    /// <summary>Gets the number of thread states of finished threads deleted so far.</summary>
    public static int FreedCount => Volatile.Read(ref s_freed);

    /// <summary>Takes the GIL on this thread, creating this thread's kept thread state the first time.</summary>
    /// <returns>The value to pass to <c>PyGILState_Release</c>.</returns>
    public static int Acquire()
    {
        if (t_owner is null)
        {
            // CPython aborts the process when it cannot allocate a thread state: that allocation is never refused by PythonRuntime:MemoryLimit.
            using var exemption = PythonInterpreter.ExemptFromMemoryLimit();

            // Ensure creates the thread state with a counter of 1; releasing the GIL without Release keeps it.
            LibPython.PyGILState_Ensure();
            t_owner = new Owner(LibPython.PyEval_SaveThread());
        }

        var gil = LibPython.PyGILState_Ensure();
        DeleteRetired();
        return gil;
    }

    /// <summary>Drops the GIL taken by <see cref="Acquire"/> (the thread keeps its thread state).</summary>
    /// <param name="gil">The value <see cref="Acquire"/> returned.</param>
    public static void Release(int gil) => LibPython.PyGILState_Release(gil);

    /// <summary>Starts a call's isolation (GIL held): a fresh context, an empty thread dictionary.</summary>
    /// <returns>The entered context, for <see cref="EndCall"/>.</returns>
    public static nint BeginCall()
    {
        if (t_owner is { RanCalls: false } owner)
        {
            owner.RanCalls = true;
            IdleAtStop.TryAdd(owner.State, 0);
        }

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

    /// <summary>Records a thread state that holds no call whenever no call runs (the start thread's, once it released the GIL).</summary>
    /// <param name="state">The thread state.</param>
    public static void RegisterIdleAtStop(nint state) => IdleAtStop.TryAdd(state, 0);

    /// <summary>Gets a value indicating whether <paramref name="state"/> is one that no thread uses while no call runs.</summary>
    /// <param name="state">A thread state of the interpreter.</param>
    /// <returns><see langword="true"/> for the start thread's and for those of threads that ran calls.</returns>
    public static bool IsIdleAtStop(nint state) => IdleAtStop.ContainsKey(state);

    /// <summary>Deletes the thread states of finished threads now (GIL held), so that none is deleted twice at stop.</summary>
    public static void DeleteRetiredStates() => DeleteRetired();

    /// <summary>Deletes the thread states of finished threads (GIL held; none of them is current anywhere).</summary>
    private static void DeleteRetired()
    {
        while (Retired.TryDequeue(out var state))
        {
            IdleAtStop.TryRemove(state, out _);
            LibPython.PyThreadState_Clear(state);
            LibPython.PyThreadState_Delete(state);
            Interlocked.Increment(ref s_freed);
        }
    }

    /// <summary>Lives in a thread-static of the thread that owns the thread state; finalized after that thread ends.</summary>
    private sealed class Owner(nint state)
    {
        /// <summary>Gets the thread state.</summary>
        public nint State => state;

        /// <summary>Gets or sets a value indicating whether the thread has run a call (its state is then idle whenever no call runs).</summary>
        public bool RanCalls { get; set; }

        ~Owner()
        {
            if (PythonInterpreter.IsRunning)
            {
                Retired.Enqueue(state);
            }
        }
    }
}
