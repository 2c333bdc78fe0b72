using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// The one CPython interpreter of the process. CPython can be initialised only once per process
/// and never again after finalisation, so this is the single owner of the process-wide state:
/// the configuration flags, the audit hook, the memory hooks (when a limit is set), and the main thread state saved once start-up is done.
/// </summary>
internal static unsafe partial class PythonInterpreter
{
    private static readonly Lock Gate = new();

    /// <summary>How long stopping waits for the GIL, which a call that cannot be interrupted may keep.</summary>
    private static readonly TimeSpan DetachTimeout = TimeSpan.FromSeconds(5);
    private static IPythonBackend? s_backend;
    private static delegate* unmanaged<nint> s_uncheckedThreadState;
    private static int s_state; // 0 = never started, 1 = running, 2 = stopped
    private static int s_gilUses;
    private static int s_activeCalls;
    private static nint s_home;

    public static bool IsRunning => Volatile.Read(ref s_state) == 1;

    public static IPythonBackend? Backend => s_backend;

    /// <summary>Starts the interpreter; throws when it was started before in this process.</summary>
    /// <param name="installation">The CPython installation.</param>
    /// <param name="backend">The backend serving Python's OS interface.</param>
    /// <param name="memoryLimit">The most bytes Python's heap may count (<c>PythonRuntime:MemoryLimit</c>); 0 for no limit, which leaves CPython's allocators unhooked.</param>
    /// <param name="logger">The runtime's logger.</param>
    public static void Start(PythonInstallation installation, IPythonBackend backend, long memoryLimit, ILogger logger)
    {
        lock (Gate)
        {
            if (s_state != 0)
            {
                throw new PythonStartupException(
                    "CPython can be started only once per process and it has already been started here. " +
                    "Run runtimes with another backend or other permissions in another process.");
            }

            #pragma warning disable RS0030 // the interpreter's real start-up time, logged for operators
            var stopwatch = Stopwatch.StartNew();
            #pragma warning restore RS0030
            Log.InterpreterStarting(logger, PythonInstallation.Version, installation.LibraryPath, installation.Source, backend.Kind);
            LibPython.Load(installation.LibraryPath, installation.Source);
            if (LibPython.Py_IsInitialized() != 0)
            {
                throw new PythonStartupException("CPython was already initialised in this process by other code; PyHosting must own the interpreter's initialisation.");
            }

            // First, before any call that could allocate: every block must be freed by the allocator that made it.
            // Without a limit nothing is hooked (no counting cost, and no memory usage to report).
            InstallMemoryHooks(memoryLimit);
            s_backend = backend;

            // Explicit home and program name: the search path must not depend on PATH or on the working directory.
            s_home = WideString(installation.Home);
            LibPython.Py_SetPythonHome(s_home);
            LibPython.Py_SetProgramName(WideString(Path.Combine(installation.Home, "bin", "python" + PythonInstallation.Version)));
            LibPython.SetIntVariable("Py_IgnoreEnvironmentFlag", 1);
            LibPython.SetIntVariable("Py_NoUserSiteDirectory", 1);
            if (LibPython.PySys_AddAuditHook(&AuditHook, 0) != 0)
            {
                throw new PythonStartupException("The runtime's audit hook could not be registered.");
            }

            backend.BeforeInitialize(installation);

            // Python's own signal handlers would fight the host's (SIGINT, SIGPIPE): never install them.
            LibPython.Py_InitializeEx(0);
            s_state = 1;
            try
            {
                backend.AfterInitialize(installation);
                PythonErrors.CaptureTraceback();
                CallInterrupter.Install(logger);
            }
            finally
            {
                // Never leave the GIL held by this thread, or stopping after a failed start would deadlock.
                // The start thread's state is kept until finalisation (see StopAttempt.Run); calls use their own.
                PythonThreadState.RegisterIdleAtStop(LibPython.PyEval_SaveThread());
            }

            #pragma warning disable RS0030 // the interpreter's real start-up time, logged for operators
            Log.InterpreterStarted(logger, stopwatch.ElapsedMilliseconds);
            #pragma warning restore RS0030
        }
    }

    /// <summary>Enters a call: false once stopping has begun (the interpreter may be finalised). Pair with <see cref="ExitCall"/>.</summary>
    public static bool TryEnterCall()
    {
        Interlocked.Increment(ref s_activeCalls);
        if (Volatile.Read(ref s_state) == 1)
        {
            return true;
        }

        Interlocked.Decrement(ref s_activeCalls);
        return false;
    }

    /// <summary>Leaves a call entered with <see cref="TryEnterCall"/>.</summary>
    public static void ExitCall() => Interlocked.Decrement(ref s_activeCalls);

    /// <summary>
    /// Enters a use of the GIL outside a call (an interrupt thread posting its exception): false once stopping has begun.
    /// Stopping waits for such uses to end before it takes the GIL to finalise, so that no thread creates a thread state
    /// in a finalised interpreter. Pair with <see cref="ExitGilUse"/>.
    /// </summary>
    public static bool TryEnterGilUse()
    {
        Interlocked.Increment(ref s_gilUses);
        if (Volatile.Read(ref s_state) == 1)
        {
            return true;
        }

        Interlocked.Decrement(ref s_gilUses);
        return false;
    }

    /// <summary>Leaves a use entered with <see cref="TryEnterGilUse"/>.</summary>
    public static void ExitGilUse() => Interlocked.Decrement(ref s_gilUses);

    /// <summary>Waits, up to <paramref name="timeout"/>, for the uses of the GIL outside calls to end (after the state left running).</summary>
    private static void WaitForGilUses(TimeSpan timeout)
    {
        #pragma warning disable RS0030 // stopping waits on real time for interrupt threads; it has nothing to await
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_gilUses) > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout)
        {
            Thread.Sleep(5);
        }
        #pragma warning restore RS0030
    }

    /// <summary>
    /// Stops the interpreter: flushes Python's standard streams and, only when no Python code is running anywhere
    /// (no call, no other Python thread with a frame, the GIL taken promptly), finalises CPython
    /// (<c>Py_FinalizeEx</c>, which runs <c>atexit</c> handlers and joins Python threads). Finalising an interpreter whose threads still run code crashes the process, and the process is
    /// exiting anyway: otherwise the interpreter is left as it is, with a warning. It cannot be started again.
    /// </summary>
    public static void Stop(ILogger logger)
    {
        lock (Gate)
        {
            if (s_state != 1)
            {
                return;
            }

            // Before the calls are counted: a call that enters later sees the state and never takes the GIL.
            Interlocked.Exchange(ref s_state, 2);
            try
            {
                s_backend?.OnStopping();
            }
            catch (Exception e)
            {
                // Stopping must go on: a provider that fails while closing cannot keep the host alive.
                Log.InterpreterStopFailed(logger, e);
            }

            // A call busy in C code that never checks for interrupts holds the GIL for good: the host's stop does not wait for it.
            var stop = new StopAttempt(logger);
            var detach = new Thread(stop.Run) { IsBackground = true, Name = "PyHosting interpreter stop" };
            detach.Start();
            if (!stop.Decided.Wait(DetachTimeout))
            {
                stop.Abandon();
                Log.InterpreterStopAbandoned(logger, (long)DetachTimeout.TotalMilliseconds);
                return;
            }

            detach.Join(DetachTimeout);
        }
    }

    /// <summary>One stop of the interpreter, on a thread of its own: it may wait for the GIL for good.</summary>
    private sealed class StopAttempt(ILogger logger)
    {
        private readonly Lock _gate = new();
        private bool _abandoned;
        private bool _committed;

        public ManualResetEventSlim Decided { get; } = new();

        /// <summary>The host stopped waiting: unless the shutdown has begun, leave the interpreter as it is when the GIL comes.</summary>
        public void Abandon()
        {
            lock (_gate)
            {
                _abandoned = !_committed;
            }
        }

        public void Run()
        {
            // Stopping must not fail for want of memory Python code used up: a thread state that cannot be
            // allocated aborts the process, and finalisation imports and calls Python code (atexit, threading).
            using var exemption = ExemptFromMemoryLimit();
            string? running;

            // An interrupt thread that entered before the state changed may still be on its way to the GIL: let it finish.
            WaitForGilUses(DetachTimeout / 2);
            var gil = LibPython.PyGILState_Ensure();
            try
            {
                running = RunningCode();
                FlushStandardStreams();
                lock (_gate)
                {
                    if (_abandoned)
                    {
                        return;
                    }

                    _committed = true;
                }

                if (running is not null)
                {
                    Log.InterpreterLeftRunning(logger, running);
                    return;
                }

                // threading takes the thread that first imported it (the start thread or a call thread) for the main
                // thread and, at finalisation, waits for that thread's state to be deleted: delete every other thread
                // state first (none has a frame, see RunningCode; finalisation would delete them after that wait).
                DeleteOtherThreadStates();

                // Finalises with this thread's GIL state: no thread state of the interpreter may be used afterwards,
                // so the GIL is not released below.
                var status = LibPython.Py_FinalizeEx();
                gil = -1;
                if (status < 0)
                {
                    Log.InterpreterStopFailed(logger, new PythonStartupException("Py_FinalizeEx reported an error while flushing buffered data."));
                }
                else
                {
                    Log.InterpreterStopped(logger);
                }
            }
            finally
            {
                if (gil != -1)
                {
                    LibPython.PyGILState_Release(gil);
                }

                Decided.Set();
            }
        }
    }

    /// <summary>Says what Python code still runs, or null when none does (GIL held): a call, or a thread state with a frame.</summary>
    private static string? RunningCode()
    {
        var calls = Volatile.Read(ref s_activeCalls);
        if (calls > 0)
        {
            return $"{calls} call(s) still running";
        }

        var current = ((delegate* unmanaged<nint>)LibPython.Export("PyThreadState_Get"))();
        var interpreter = ((delegate* unmanaged<nint>)LibPython.Export("PyInterpreterState_Main"))();
        var head = (delegate* unmanaged<nint, nint>)LibPython.Export("PyInterpreterState_ThreadHead");
        var next = (delegate* unmanaged<nint, nint>)LibPython.Export("PyThreadState_Next");
        var frameOf = (delegate* unmanaged<nint, nint>)LibPython.Export("PyThreadState_GetFrame");
        var threads = 0;
        for (var state = head(interpreter); state != 0; state = next(state))
        {
            if (state == current)
            {
                continue;
            }

            var frame = frameOf(state);
            if (frame != 0)
            {
                LibPython.Py_DecRef(frame);
                threads++;
            }
        }

        return threads > 0 ? $"{threads} Python thread(s) still running code" : null;
    }

    /// <summary>
    /// Deletes the thread states other than the current one that are known to be idle (GIL held; no call runs): the start
    /// thread's and those of threads that ran calls. A thread state of any other thread — an interrupt thread waiting for
    /// the GIL, a thread C code started — is left for finalisation: deleting it under a thread that is about to use it
    /// would crash the process.
    /// </summary>
    private static void DeleteOtherThreadStates()
    {
        var current = ((delegate* unmanaged<nint>)LibPython.Export("PyThreadState_Get"))();
        var interpreter = ((delegate* unmanaged<nint>)LibPython.Export("PyInterpreterState_Main"))();
        var head = (delegate* unmanaged<nint, nint>)LibPython.Export("PyInterpreterState_ThreadHead");
        var next = (delegate* unmanaged<nint, nint>)LibPython.Export("PyThreadState_Next");
        PythonThreadState.DeleteRetiredStates();
        var idle = new List<nint>();
        for (var state = head(interpreter); state != 0; state = next(state))
        {
            if (state != current && PythonThreadState.IsIdleAtStop(state))
            {
                idle.Add(state);
            }
        }

        foreach (var state in idle)
        {
            LibPython.PyThreadState_Clear(state);
            LibPython.PyThreadState_Delete(state);
        }
    }

    /// <summary>Flushes <c>sys.__stdout__</c> and <c>sys.__stderr__</c>, ignoring their errors (GIL held).</summary>
    private static void FlushStandardStreams()
    {
        nint type, value, traceback;
        LibPython.PyErr_Fetch(&type, &value, &traceback);
        var sys = Interop.Py.Import("sys");
        if (sys != 0)
        {
            foreach (var name in (ReadOnlySpan<string>)["__stdout__", "__stderr__"])
            {
                var stream = Interop.Py.GetAttr(sys, name);
                var flush = stream == 0 ? 0 : Interop.Py.GetAttr(stream, "flush");
                if (flush != 0)
                {
                    var empty = LibPython.PyTuple_New(0);
                    var result = LibPython.PyObject_Call(flush, empty, 0);
                    LibPython.Py_DecRef(empty);
                    if (result != 0)
                    {
                        LibPython.Py_DecRef(result);
                    }

                    LibPython.Py_DecRef(flush);
                }

                if (stream != 0)
                {
                    LibPython.Py_DecRef(stream);
                }

                LibPython.PyErr_Clear();
            }

            LibPython.Py_DecRef(sys);
        }

        LibPython.PyErr_Clear();
        LibPython.PyErr_Restore(type, value, traceback);
    }

    private static nint WideString(string value)
    {
        // wchar_t is UTF-32 on Linux.
        var bytes = Encoding.UTF32.GetBytes(value + "\0");
        var p = (nint)NativeMemory.Alloc((nuint)bytes.Length);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return p;
    }

    /// <summary>The current thread state, or 0 when there is none (never a fatal error, unlike <c>PyThreadState_Get</c>).</summary>
    private static nint UncheckedThreadState()
    {
        if (s_uncheckedThreadState == null)
        {
            s_uncheckedThreadState = (delegate* unmanaged<nint>)LibPython.Export("_PyThreadState_UncheckedGet");
        }

        return s_uncheckedThreadState();
    }

    [UnmanagedCallersOnly]
    private static int AuditHook(nint eventName, nint args, nint userData)
    {
        try
        {
            var backend = s_backend;
            if (backend is null)
            {
                return 0;
            }

            var name = Marshal.PtrToStringUTF8(eventName);
            if (name is null)
            {
                return 0;
            }

            // The runtime itself sets and removes the trace function that stops a call swallowing its interrupt.
            if (CallInterrupter.IsSettingTrace && name == "sys.settrace")
            {
                return 0;
            }

            var decision = backend.OnAuditEvent(name, args);
            if (!decision.IsDenied)
            {
                return 0;
            }

            if (UncheckedThreadState() == 0)
            {
                // Some events are raised with no current thread state (Py_NewInterpreter after the caller swapped its own
                // out): no exception can be set then, and a failure without one is what the caller expects.
                return -1;
            }

            Interop.Py.SetError(decision.ExceptionClass == 0 ? LibPython.ExcPermissionError : decision.ExceptionClass, decision.Message!);
            return -1;
        }
        catch (Exception)
        {
            // Fail closed: an audit hook that cannot decide denies.
            Interop.Py.SetError(LibPython.ExcPermissionError, "operation denied: the runtime's audit hook failed");
            return -1;
        }
    }
}
