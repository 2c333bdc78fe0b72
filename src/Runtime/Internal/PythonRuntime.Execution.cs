using System.Diagnostics;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

internal sealed partial class PythonRuntime
{
    /// <summary>Observes calls: entry point, outcome, duration and GIL wait (metrics and tracing hook in here).</summary>
    public IPythonRuntimeObserver? Observer { get; }

    private Task<T?> RunAsync<T>(string entryPoint, Func<nint> body, bool convert, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            throw new InvalidOperationException("The Python runtime is not running: it starts with the host (AddPythonRuntime) and stops with it.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sink = _redirect.Value ?? _defaultSink;
        var timeout = _options.ExecutionTimeout is { } t && t > TimeSpan.Zero ? t : Timeout.InfiniteTimeSpan;
        var limits = new CallLimits(cancellationToken, timeout, _timeProvider);
        var call = CallThreads.Run(() => RunOnThisThread<T>(entryPoint, body, convert, sink, limits));
        return limits.Token.CanBeCanceled ? AwaitInterruptibleAsync(entryPoint, call, limits) : call;
    }

    /// <summary>
    /// Waits for a call that may be interrupted. An interrupted call normally stops within milliseconds and reports
    /// its own outcome; one that does not (C code that never checks for interrupts, or a call still waiting for the
    /// GIL such code holds) releases its caller after <see cref="AbandonAfter"/> and keeps running on its own.
    /// </summary>
    private async Task<T?> AwaitInterruptibleAsync<T>(string entryPoint, Task<T?> call, CallLimits limits)
    {
        try
        {
            return await call.WaitAsync(limits.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (e.CancellationToken == limits.Token)
        {
        }

        // The system clock on purpose: a caller must be released even when the runtime's clock is a test double that never advances.
        if (await Task.WhenAny(call, Task.Delay(AbandonAfter, TimeProvider.System)).ConfigureAwait(false) != call)
        {
            _ = call.ContinueWith(static c => _ = c.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var abandoned = Cancelled(entryPoint, limits, stillRunning: true);
            Log.CallNotStopping(_logger, entryPoint, abandoned is TimeoutException ? "timeout" : "cancelled", (long)AbandonAfter.TotalMilliseconds);
            throw abandoned;
        }

        return await call.ConfigureAwait(false);
    }

    private T? RunOnThisThread<T>(string entryPoint, Func<nint> body, bool convert, OutputSink sink, CallLimits limits)
    {
        using var ownedLimits = limits;
        var callToken = limits.Token;
        if (!PythonInterpreter.TryEnterCall())
        {
            throw new InvalidOperationException("The Python runtime has stopped: it starts with the host (AddPythonRuntime) and stops with it.");
        }

        try
        {
            return RunEntered<T>(entryPoint, body, convert, sink, limits);
        }
        finally
        {
            PythonInterpreter.ExitCall();
        }
    }

    private unsafe T? RunEntered<T>(string entryPoint, Func<nint> body, bool convert, OutputSink sink, CallLimits limits)
    {
        var callToken = limits.Token;

        var observation = Observer?.OnCallStarting(entryPoint);
        #pragma warning disable RS0030 // the real time a call waited for the GIL (the pyhosting.gil.wait metric), whatever the runtime's clock
        var waitStart = Stopwatch.GetTimestamp();
        var gil = PythonThreadState.Acquire();
        var gilWait = Stopwatch.GetElapsedTime(waitStart);
        #pragma warning restore RS0030
        var isolation = PythonThreadState.BeginCall();
        var state = new InterruptState(LibPython.PyThread_get_thread_ident(), CallInterrupter.CurrentThreadState());
        var context = new CallContext(sink, callToken);
        var previous = CallContext.Enter(context);
        var outcome = PythonCallOutcome.Error;
        try
        {
            using var registration = callToken.Register(static s => ((InterruptState)s!).RequestInterrupt(), state);
            if (callToken.IsCancellationRequested)
            {
                throw Cancelled(entryPoint, limits);
            }

            var result = body();

            if (result == 0)
            {
                var exc = Py.FetchError();
                try
                {
                    // A bridge wait woken by the token raises KeyboardInterrupt before the runtime's own callback may have run;
                    // a SQLite statement the token interrupted raises sqlite3.OperationalError('interrupted').
                    var interruptedStatement = Managed.Sqlite.SqliteVfs.TakeInterrupted();
                    if (exc != 0 && (PythonErrors.IsInstance(exc, LibPython.ExcKeyboardInterrupt) || interruptedStatement) && (state.Requested || callToken.IsCancellationRequested))
                    {
                        throw Cancelled(entryPoint, limits);
                    }

                    if (exc != 0 && PythonErrors.IsInstance(exc, LibPython.ExcSystemExit) && IsSuccessfulExit(exc))
                    {
                        outcome = PythonCallOutcome.Ok;
                        return default;
                    }

                    var error = exc == 0 ? PythonErrors.FromCurrent(entryPoint) : PythonErrors.FromException(exc);
                    Log.CallFailed(_logger, entryPoint, error.PythonType);
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
            state.Complete();
            CallContext.Exit(previous);
            sink.Flush();
            PythonThreadState.EndCall(isolation);
            LibPython.PyGILState_Release(gil);
            observation?.Complete(outcome, gilWait);
            LogFirstMemoryRefusal(entryPoint);
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

    /// <summary>The caller's token and the execution timeout of one call, linked; disposed by the call when it ends.</summary>
    private sealed class CallLimits : IDisposable
    {
        private readonly CancellationTokenSource? _timeout;
        private readonly CancellationTokenSource? _linked;

        public CallLimits(CancellationToken callerToken, TimeSpan timeout, TimeProvider timeProvider)
        {
            CallerToken = callerToken;
            Timeout = timeout;
            _timeout = timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, timeProvider);
            _linked = _timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(callerToken, _timeout.Token);
            Token = _linked?.Token ?? callerToken;
        }

        public CancellationToken CallerToken { get; }

        public TimeSpan Timeout { get; }

        public CancellationToken Token { get; }

        /// <summary>Gets whether the timeout, not the caller, ended the call.</summary>
        public bool TimedOut => !CallerToken.IsCancellationRequested && _timeout is { IsCancellationRequested: true };

        public void Dispose()
        {
            _linked?.Dispose();
            _timeout?.Dispose();
        }
    }

    /// <summary>A call that returned holding the import lock (<c>_imp.acquire_lock()</c>) would hang every later import: release it (GIL held, on the call's thread, its owner).</summary>
    private static unsafe void ReleaseLeftoverImportLock()
    {
        var release = (delegate* unmanaged<int>)LibPython.Export("_PyImport_ReleaseLock");
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
    private sealed class InterruptState(ulong threadId, nint threadState)
    {
        private readonly Lock _gate = new();
        private bool _active = true;
        private bool _traced;
        private int _requested;
        private long _requestedAt;

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
                    if (!_active || !CallInterrupter.InterruptNativeCode(this, threadId))
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
            var gil = PythonThreadState.Acquire();
            try
            {
                lock (_gate)
                {
                    if (!_active)
                    {
                        return false;
                    }

                    LibPython.PyThreadState_SetAsyncExc(threadId, LibPython.ExcKeyboardInterrupt);
                    #pragma warning disable RS0030 // interrupt escalation runs on real time (see RequestInterrupt)
                    if (_traced || Stopwatch.GetElapsedTime(Volatile.Read(ref _requestedAt)) >= TraceAfter)
                    #pragma warning restore RS0030
                    {
                        // Again at every interval: nothing the call's code changed meanwhile (a frame's f_trace_lines,
                        // f_trace_opcodes or f_trace) can keep a line of it running.
                        CallInterrupter.SetTrace(threadState, on: true);
                        CallInterrupter.TraceEveryFrame(threadState);
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
                    return;
                }

                LibPython.PyThreadState_SetAsyncExc(threadId, 0);
                if (_traced)
                {
                    CallInterrupter.SetTrace(threadState, on: false);
                }

                CallInterrupter.Release(this);
            }
        }
    }
}
