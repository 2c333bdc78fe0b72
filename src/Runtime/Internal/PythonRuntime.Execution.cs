using System.Diagnostics;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

internal sealed partial class PythonRuntime
{
    /// <summary>Observes calls: entry point, outcome, duration and GIL wait (metrics and tracing hook in here).</summary>
    public IPythonRuntimeObserver? Observer { get; }

    private Task<T?> RunAsync<T>(in CallBody body, bool convert, CancellationToken cancellationToken)
    {
        EnsureStarted();
        cancellationToken.ThrowIfCancellationRequested();
        var call = new AsyncCall<T>(this, body, convert, _redirect.Value ?? _defaultSink, cancellationToken);
        CallThreads.Post(call);
        return call.Task;
    }

    /// <summary>
    /// Runs a call and waits for it: on the calling thread when its stack holds the deepest recursion Python may
    /// reach there (<see cref="StackForThisThread"/>), otherwise on a call thread while the caller blocks.
    /// </summary>
    private T? RunSynchronously<T>(in CallBody body, bool convert, CancellationToken cancellationToken)
    {
        EnsureStarted();
        cancellationToken.ThrowIfCancellationRequested();
        var sink = _redirect.Value ?? _defaultSink;
        var stack = StackForThisThread();
        if (stack != 0)
        {
            using var limits = CallLimits.Begin(cancellationToken, ExecutionTimeout, _timeProvider);
            var result = RunOnThisThread<T>(body, convert, sink, limits, stack, out var declined);
            if (!declined)
            {
                return result;
            }
        }

        var call = new AsyncCall<T>(this, body, convert, sink, cancellationToken);
        CallThreads.Post(call);
        return call.Task.GetAwaiter().GetResult();
    }

    private void EnsureStarted()
    {
        if (!_started)
        {
            throw new InvalidOperationException("The Python runtime is not running: it starts with the host (AddPythonRuntime) and stops with it.");
        }
    }

    private TimeSpan ExecutionTimeout => _options.ExecutionTimeout is { } t && t > TimeSpan.Zero ? t : Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Whether a synchronous call may run on the current thread: <see cref="long.MaxValue"/> on a call thread (no check
    /// needed), the thread's stack size when it may (to be checked against the recursion limit with the GIL held,
    /// <see cref="RunEntered{T}"/>), 0 when it may not. In the Managed backend the thread is first admitted
    /// (<see cref="Managed.Hardening.RecursionBudget.Admit"/>), so that no other call can raise the interpreter's
    /// recursion limit beyond what this thread's stack holds.
    /// </summary>
    private long StackForThisThread()
    {
        if (CallThreads.IsCallThread)
        {
            return long.MaxValue;
        }

        var stack = t_stackSize;
        if (stack == 0)
        {
            stack = Math.Max(1, Managed.Hardening.RecursionBudget.CurrentThreadStackSize());
            t_stackSize = stack;
        }

        if (stack >= CallThreads.StackSize)
        {
            return long.MaxValue;
        }

        if (_backend.Kind == PythonBackend.Managed)
        {
            return Managed.Hardening.RecursionBudget.Admit(stack) ? stack : 0;
        }

        return Managed.Hardening.RecursionBudget.LevelsFor(stack) >= Managed.Hardening.RecursionBudget.Minimum ? stack : 0;
    }

    /// <summary>One asynchronous call: its arguments, its task, and the release of its caller when it does not stop.</summary>
    private sealed class AsyncCall<T> : TaskCompletionSource<T?>, CallThreads.IWork
    {
        private readonly PythonRuntime _runtime;
        private readonly CallBody _body;
        private readonly bool _convert;
        private readonly OutputSink _sink;
        private readonly CancellationToken _callerToken;
        private readonly ExecutionContext? _context;
        private readonly Lock _gate = new();
        private CallLimits? _limits;
        private ITimer? _abandon;
        private bool _ended;

        public AsyncCall(PythonRuntime runtime, in CallBody body, bool convert, OutputSink sink, CancellationToken callerToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _runtime = runtime;
            _body = body;
            _convert = convert;
            _sink = sink;
            _callerToken = callerToken;
            _context = ExecutionContext.Capture();
        }

        public void Run()
        {
            if (_context is null)
            {
                Execute();
            }
            else
            {
                ExecutionContext.Run(_context, static s => ((AsyncCall<T>)s!).Execute(), this);
            }
        }

        private void Execute()
        {
            using var limits = CallLimits.Begin(_callerToken, _runtime.ExecutionTimeout, _runtime._timeProvider);
            _limits = limits;
            var registration = limits.Token.CanBeCanceled
                ? limits.Token.UnsafeRegister(static s => ((AsyncCall<T>)s!).OnInterrupted(), this)
                : default;
            try
            {
                TrySetResult(_runtime.RunOnThisThread<T>(_body, _convert, _sink, limits, long.MaxValue, out _));
            }
            catch (Exception e)
            {
                TrySetException(e);
            }
            finally
            {
                registration.Dispose();
                lock (_gate)
                {
                    _ended = true;
                    _abandon?.Dispose();
                }
            }
        }

        /// <summary>
        /// The call was cancelled or timed out. An interrupted call normally stops within milliseconds and reports its
        /// own outcome; one that does not (C code that never checks for interrupts, or a call still waiting for the GIL
        /// such code holds) releases its caller after <see cref="AbandonAfter"/> and keeps running on its own.
        /// </summary>
        private void OnInterrupted()
        {
            lock (_gate)
            {
                if (!_ended && _abandon is null)
                {
                    // The system clock on purpose: a caller must be released even when the runtime's clock is a test double that never advances.
                    _abandon = TimeProvider.System.CreateTimer(static s => ((AsyncCall<T>)s!).Abandon(), this, AbandonAfter, Timeout.InfiniteTimeSpan);
                }
            }
        }

        private void Abandon()
        {
            var entryPoint = _body.EntryPoint;
            var abandoned = _runtime.Cancelled(entryPoint, _limits!, stillRunning: true);
            if (TrySetException(abandoned))
            {
                Log.CallNotStopping(_runtime._logger, entryPoint, abandoned is TimeoutException ? "timeout" : "cancelled", (long)AbandonAfter.TotalMilliseconds);
            }
        }
    }

    /// <summary>Runs a call on this thread; <paramref name="declined"/> when the recursion limit in force does not fit <paramref name="stack"/> (nothing ran).</summary>
    private T? RunOnThisThread<T>(in CallBody body, bool convert, OutputSink sink, CallLimits limits, long stack, out bool declined)
    {
        if (!PythonInterpreter.TryEnterCall())
        {
            throw new InvalidOperationException("The Python runtime has stopped: it starts with the host (AddPythonRuntime) and stops with it.");
        }

        try
        {
            return RunEntered<T>(body, convert, sink, limits, stack, out declined);
        }
        finally
        {
            PythonInterpreter.ExitCall();
        }
    }

    private unsafe T? RunEntered<T>(in CallBody body, bool convert, OutputSink sink, CallLimits limits, long stack, out bool declined)
    {
        var callToken = limits.Token;

        // A call that may be declined below starts its observation once it is sure to run (its duration then leaves
        // out the GIL wait, which is recorded on its own anyway).
        var mayDecline = stack != long.MaxValue;
        var observation = mayDecline ? null : Observer?.OnCallStarting(body.EntryPoint);
        #pragma warning disable RS0030 // the real time a call waited for the GIL (the pyhosting.gil.wait metric), whatever the runtime's clock
        var waitStart = Stopwatch.GetTimestamp();
        var gil = PythonThreadState.Acquire();
        var gilWait = Stopwatch.GetElapsedTime(waitStart);
        #pragma warning restore RS0030

        // Checked with the GIL held, when no other call can change the limit (see StackForThisThread).
        declined = mayDecline && LibPython.Py_GetRecursionLimit() > Managed.Hardening.RecursionBudget.LevelsFor(stack);
        if (declined)
        {
            LibPython.PyGILState_Release(gil);
            return default;
        }

        if (mayDecline)
        {
            observation = Observer?.OnCallStarting(body.EntryPoint);
        }

        var isolation = PythonThreadState.BeginCall();
        var state = callToken.CanBeCanceled ? InterruptState.Rent(LibPython.PyThread_get_thread_ident(), CallInterrupter.CurrentThreadState()) : null;
        var context = CallContext.Rent(sink, callToken);
        var previous = CallContext.Enter(context);
        var outcome = PythonCallOutcome.Error;
        try
        {
            using var registration = state is null ? default : callToken.UnsafeRegister(static s => ((InterruptState)s!).RequestInterrupt(), state);
            if (callToken.IsCancellationRequested)
            {
                throw Cancelled(body.EntryPoint, limits);
            }

            var result = RunBody(body);

            if (result == 0)
            {
                var exc = Py.FetchError();
                try
                {
                    // A bridge wait woken by the token raises KeyboardInterrupt before the runtime's own callback may have run;
                    // a SQLite statement the token interrupted raises sqlite3.OperationalError('interrupted').
                    var interruptedStatement = Managed.Sqlite.SqliteVfs.TakeInterrupted();
                    if (exc != 0 && (PythonErrors.IsInstance(exc, LibPython.ExcKeyboardInterrupt) || interruptedStatement) && (state is { Requested: true } || callToken.IsCancellationRequested))
                    {
                        throw Cancelled(body.EntryPoint, limits);
                    }

                    if (exc != 0 && PythonErrors.IsInstance(exc, LibPython.ExcSystemExit) && IsSuccessfulExit(exc))
                    {
                        outcome = PythonCallOutcome.Ok;
                        return default;
                    }

                    var error = exc == 0 ? PythonErrors.FromCurrent(body.EntryPoint) : PythonErrors.FromException(exc);
                    Log.CallFailed(_logger, body.EntryPoint, error.PythonType);
                    throw error;
                }
                finally
                {
                    if (exc != 0)
                    {
                        LibPython.Py_DecRef(exc);
                    }
                }
            }

            try
            {
                var value = convert ? Conversion.ResultConverter.Convert<T>(result) : default;
                outcome = PythonCallOutcome.Ok;
                return value;
            }
            finally
            {
                LibPython.Py_DecRef(result);
            }
        }
        catch (OperationCanceledException)
        {
            outcome = PythonCallOutcome.Cancelled;
            throw;
        }
        catch (TimeoutException)
        {
            outcome = PythonCallOutcome.Timeout;
            throw;
        }
        finally
        {
            ReleaseLeftoverImportLock();
            state?.Complete();
            CallContext.Exit(previous);
            CallContext.Return(context);
            sink.Flush();
            PythonThreadState.EndCall(isolation);
            LibPython.PyGILState_Release(gil);
            observation?.Complete(outcome, gilWait);
            if (PythonInterpreter.MemoryRefusals > 0)
            {
                LogFirstMemoryRefusal(body.EntryPoint);
            }
        }
    }

    /// <summary>Logs the first allocation the memory limit refused, once per process (the allocator hook itself cannot log).</summary>
    private void LogFirstMemoryRefusal(string entryPoint)
    {
        if (PythonInterpreter.MemoryRefusals > 0 && Interlocked.Exchange(ref _memoryLimitLogged, 1) == 0)
        {
            Log.MemoryLimitReached(_logger, entryPoint, PythonInterpreter.MemoryLimit, PythonInterpreter.LastRefusedBytes, PythonInterpreter.MemoryUsage ?? 0);
        }
    }

    private Exception Cancelled(string entryPoint, CallLimits limits, bool stillRunning = false)
    {
        var still = stillRunning
            ? " It did not stop when interrupted and keeps running: code in C that never checks for interrupts cannot be stopped in-process."
            : string.Empty;
        if (limits.TimedOut)
        {
            LogInterrupted(entryPoint, "timeout", stillRunning);
            return new TimeoutException($"The Python call '{entryPoint}' ran longer than PythonRuntime:ExecutionTimeout ({limits.Timeout}).{still}");
        }

        LogInterrupted(entryPoint, "cancelled", stillRunning);
        return new OperationCanceledException($"The Python call '{entryPoint}' was cancelled.{still}", limits.CallerToken);
    }

    /// <summary>A call still running when its caller is released is logged once, when it ends; the release has its own warning.</summary>
    private void LogInterrupted(string entryPoint, string reason, bool stillRunning)
    {
        if (!stillRunning)
        {
            Log.CallInterrupted(_logger, entryPoint, reason);
        }
    }

    /// <summary>
    /// The caller's token and the execution timeout of one call, as one token; disposed by the call when it ends, on
    /// the thread that began it. A thread keeps its limits (one token source and one timer) from call to call, so a
    /// call allocates neither; a call nested in another on the same thread gets limits of its own.
    /// </summary>
    private sealed class CallLimits : IDisposable
    {
        #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
        [ThreadStatic]
        private static CallLimits? t_spare;
        #pragma warning restore IDE1006

        private readonly Lock _gate = new();
        private readonly TimeProvider _timeProvider;
        private CancellationTokenSource _source = new();
        private CancellationTokenRegistration _callerLink;
        private ITimer? _timer;
        private long _deadline;
        private bool _active;
        private bool _timedOut;

        private CallLimits(TimeProvider timeProvider) => _timeProvider = timeProvider;

        public CancellationToken CallerToken { get; private set; }

        public TimeSpan Timeout { get; private set; }

        public CancellationToken Token { get; private set; }

        /// <summary>Gets whether the timeout, not the caller, ended the call.</summary>
        public bool TimedOut => !CallerToken.IsCancellationRequested && Volatile.Read(ref _timedOut);

        public static CallLimits Begin(CancellationToken callerToken, TimeSpan timeout, TimeProvider timeProvider)
        {
            var limits = t_spare;
            if (limits is not null && ReferenceEquals(limits._timeProvider, timeProvider))
            {
                t_spare = null;
            }
            else
            {
                limits = new CallLimits(timeProvider);
            }

            limits.Start(callerToken, timeout);
            return limits;
        }

        private void Start(CancellationToken callerToken, TimeSpan timeout)
        {
            CallerToken = callerToken;
            Timeout = timeout;
            _timedOut = false;
            var timed = timeout != System.Threading.Timeout.InfiniteTimeSpan;
            Token = timed || callerToken.CanBeCanceled ? _source.Token : callerToken;
            lock (_gate)
            {
                _active = true;
                if (timed)
                {
                    _deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
                    _timer ??= _timeProvider.CreateTimer(static s => ((CallLimits)s!).OnTimer(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
                    _timer.Change(timeout, System.Threading.Timeout.InfiniteTimeSpan);
                }
            }

            _callerLink = callerToken.CanBeCanceled ? callerToken.UnsafeRegister(static s => ((CallLimits)s!).Cancel(timedOut: false), this) : default;
        }

        private void OnTimer()
        {
            lock (_gate)
            {
                if (!_active)
                {
                    return;
                }

                // A timer may fire a little early (its clock is coarser): wait for the rest.
                var remaining = _deadline - _timeProvider.GetTimestamp();
                if (remaining > 0)
                {
                    _timer!.Change(TimeSpan.FromSeconds((double)remaining / _timeProvider.TimestampFrequency), System.Threading.Timeout.InfiniteTimeSpan);
                    return;
                }
            }

            Cancel(timedOut: true);
        }

        /// <summary>Cancels the call's token, unless the call has ended (its source may then serve the thread's next call).</summary>
        private void Cancel(bool timedOut)
        {
            lock (_gate)
            {
                if (!_active)
                {
                    return;
                }

                if (timedOut)
                {
                    Volatile.Write(ref _timedOut, true);
                }

                _source.Cancel();
            }
        }

        public void Dispose()
        {
            // First, outside the lock: disposing waits for a caller's cancellation in progress, which takes the lock.
            _callerLink.Dispose();
            _callerLink = default;
            lock (_gate)
            {
                _active = false;
                _timer?.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
            }

            if (!_source.TryReset())
            {
                _source.Dispose();
                _source = new CancellationTokenSource();
            }

            t_spare = this;
        }
    }

    private static unsafe delegate* unmanaged<int> s_releaseImportLock;

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static long t_stackSize;
    #pragma warning restore IDE1006

    /// <summary>A call that returned holding the import lock (<c>_imp.acquire_lock()</c>) would hang every later import: release it (GIL held, on the call's thread, its owner).</summary>
    private static unsafe void ReleaseLeftoverImportLock()
    {
        var release = s_releaseImportLock;
        if (release == null)
        {
            s_releaseImportLock = release = (delegate* unmanaged<int>)LibPython.Export("_PyImport_ReleaseLock");
        }

        for (var i = 0; i < 1000 && release() == 1; i++)
        {
        }
    }

    private static unsafe bool IsSuccessfulExit(nint exc)
    {
        var code = Py.GetAttr(exc, "code");
        if (code == 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }

        try
        {
            return code == LibPython.None || (Py.IsInstanceOfFlag(code, Py.TpFlagsLongSubclass) && LibPython.PyLong_AsLongLong(code) == 0);
        }
        finally
        {
            LibPython.Py_DecRef(code);
        }
    }

    /// <summary>
    /// Interrupts one call until it completes, escalating: at once and then every <see cref="ReInterruptInterval"/>,
    /// a simulated signal that C code polling for signals observes (<see cref="CallInterrupter"/>; needs no GIL) and an
    /// asynchronous <c>KeyboardInterrupt</c> in the call's thread; after <see cref="TraceAfter"/>, a trace function that
    /// interrupts every instruction of every frame of the call, for code that swallows the exception. Both sides hold the GIL when they post or clear
    /// what needs it, so an interrupt never lands in the thread's next call.
    /// </summary>
    private sealed class InterruptState
    {
        #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
        [ThreadStatic]
        private static InterruptState? t_spare;
        #pragma warning restore IDE1006

        private readonly Lock _gate = new();
        private ulong _threadId;
        private nint _threadState;
        private bool _active = true;
        private bool _traced;
        private int _requested;
        private long _requestedAt;

        private InterruptState(ulong threadId, nint threadState)
        {
            _threadId = threadId;
            _threadState = threadState;
        }

        /// <summary>
        /// Gets the state for a call on this thread: the thread's spare one when the previous call was never
        /// interrupted (no interrupting thread can hold it then), otherwise a new one.
        /// </summary>
        public static InterruptState Rent(ulong threadId, nint threadState)
        {
            var state = t_spare;
            if (state is null)
            {
                return new InterruptState(threadId, threadState);
            }

            t_spare = null;
            state._threadId = threadId;
            state._threadState = threadState;
            state._active = true;
            return state;
        }

        public bool Requested => Volatile.Read(ref _requested) == 1;

        public void RequestInterrupt()
        {
            if (Interlocked.Exchange(ref _requested, 1) == 1)
            {
                return;
            }

            #pragma warning disable RS0030 // interrupt escalation runs on real time, so that a call is stopped even when the runtime's clock is a test double that never advances
            Volatile.Write(ref _requestedAt, Stopwatch.GetTimestamp());
            #pragma warning restore RS0030

            // Dedicated threads, not the pool's: calls blocked in C or waiting for the GIL may hold every pool thread.
            Start(SignalLoop, "PyHosting interrupt");
            Start(GilLoop, "PyHosting interrupt (GIL)");
        }

        private static void Start(ThreadStart loop, string name) => new Thread(loop) { IsBackground = true, Name = name }.Start();

        /// <summary>Simulates the signal that C code polls for; needs no GIL.</summary>
        private void SignalLoop()
        {
            while (true)
            {
                lock (_gate)
                {
                    if (!_active || !CallInterrupter.InterruptNativeCode(this, _threadId))
                    {
                        return;
                    }
                }

                #pragma warning disable RS0030 // the interrupt's dedicated thread re-raises on a real period; it has nothing to await
                Thread.Sleep(ReInterruptInterval);
                #pragma warning restore RS0030
            }
        }

        /// <summary>Posts the asynchronous exception and, after the grace period, sets the trace function; waits for the GIL, which C code may hold for good.</summary>
        private void GilLoop()
        {
            while (InterruptWithGil())
            {
                #pragma warning disable RS0030 // the interrupt's dedicated thread re-raises on a real period; it has nothing to await
                Thread.Sleep(ReInterruptInterval);
                #pragma warning restore RS0030
            }
        }

        /// <summary>Interrupts the call with the GIL held; returns whether the call was still running.</summary>
        private unsafe bool InterruptWithGil()
        {
            // This thread may start late, after the call ended and the interpreter was finalised: it touches Python only
            // while the call is active and the interpreter is not stopping (stopping waits for it to leave).
            lock (_gate)
            {
                if (!_active)
                {
                    return false;
                }
            }

            if (!PythonInterpreter.TryEnterGilUse())
            {
                return false;
            }

            try
            {
                return InterruptWithGilEntered();
            }
            finally
            {
                PythonInterpreter.ExitGilUse();
            }
        }

        private unsafe bool InterruptWithGilEntered()
        {
            var gil = PythonThreadState.Acquire();
            try
            {
                lock (_gate)
                {
                    if (!_active)
                    {
                        return false;
                    }

                    LibPython.PyThreadState_SetAsyncExc(_threadId, LibPython.ExcKeyboardInterrupt);
                    #pragma warning disable RS0030 // interrupt escalation runs on real time (see RequestInterrupt)
                    if (_traced || Stopwatch.GetElapsedTime(Volatile.Read(ref _requestedAt)) >= TraceAfter)
                    #pragma warning restore RS0030
                    {
                        // Again at every interval: nothing the call's code changed meanwhile (a frame's f_trace_lines,
                        // f_trace_opcodes or f_trace) can keep a line of it running.
                        CallInterrupter.SetTrace(_threadState, on: true);
                        CallInterrupter.TraceEveryFrame(_threadState);
                        _traced = true;
                    }

                    return true;
                }
            }
            finally
            {
                LibPython.PyGILState_Release(gil);
            }
        }

        /// <summary>Marks the call complete and withdraws every interrupt not yet delivered (call's thread, GIL held).</summary>
        public unsafe void Complete()
        {
            lock (_gate)
            {
                _active = false;
                if (!Requested)
                {
                    // Its registration is disposed: nothing can interrupt with it any more.
                    t_spare = this;
                    return;
                }

                LibPython.PyThreadState_SetAsyncExc(_threadId, 0);
                if (_traced)
                {
                    CallInterrupter.SetTrace(_threadState, on: false);
                }

                CallInterrupter.Release(this);
            }
        }
    }
}
