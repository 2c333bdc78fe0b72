using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

internal sealed partial class PythonRuntime
{
    /// <summary>Observes calls: entry point, outcome, duration and GIL wait (metrics and tracing hook in here).</summary>
    public IPythonCallObserver? Observer { get; set; }

    private Task<T?> RunAsync<T>(string entryPoint, Func<nint> body, bool convert, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            throw new InvalidOperationException("The Python runtime is not running: it starts with the host (AddPythonRuntime) and stops with it.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sink = _redirect.Value ?? _defaultSink;
        return Task.Run(() => RunOnThisThread<T>(entryPoint, body, convert, sink, cancellationToken), CancellationToken.None);
    }

    private unsafe T? RunOnThisThread<T>(string entryPoint, Func<nint> body, bool convert, OutputSink sink, CancellationToken cancellationToken)
    {
        var timeout = _options.ExecutionTimeout is { } t && t > TimeSpan.Zero ? t : Timeout.InfiniteTimeSpan;
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, _timeProvider);
        using var linked = timeoutSource is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var callToken = linked.Token;

        var observation = Observer?.OnCallStarting(entryPoint);
        var waitStart = Stopwatch.GetTimestamp();
        var gil = PythonThreadState.Acquire();
        var gilWait = Stopwatch.GetElapsedTime(waitStart);
        var isolation = PythonThreadState.BeginCall();
        var state = new InterruptState(LibPython.PyThread_get_thread_ident());
        var context = new CallContext(sink, callToken);
        var previous = CallContext.Enter(context);
        var outcome = PythonCallOutcome.Error;
        try
        {
            using var registration = callToken.Register(static s => ((InterruptState)s!).RequestInterrupt(), state);
            if (callToken.IsCancellationRequested)
            {
                throw Cancelled(entryPoint, cancellationToken, timeoutSource, timeout);
            }

            var result = body();

            if (result == 0)
            {
                var exc = Py.FetchError();
                try
                {
                    // A bridge wait woken by the token raises KeyboardInterrupt before the runtime's own callback may have run.
                    if (exc != 0 && PythonErrors.IsInstance(exc, LibPython.ExcKeyboardInterrupt) && (state.Requested || callToken.IsCancellationRequested))
                    {
                        throw Cancelled(entryPoint, cancellationToken, timeoutSource, timeout);
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
                var value = convert ? ValueConverter.ConvertTo<T>(ValueConverter.ToClr(result)) : default;
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

    private Exception Cancelled(string entryPoint, CancellationToken callerToken, CancellationTokenSource? timeoutSource, TimeSpan timeout)
    {
        if (!callerToken.IsCancellationRequested && timeoutSource is { IsCancellationRequested: true })
        {
            Log.CallInterrupted(_logger, entryPoint, "timeout");
            return new TimeoutException($"The Python call '{entryPoint}' ran longer than PythonRuntime:ExecutionTimeout ({timeout}).");
        }

        Log.CallInterrupted(_logger, entryPoint, "cancelled");
        return new OperationCanceledException($"The Python call '{entryPoint}' was cancelled.", callerToken);
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
    /// Interrupts one call: an asynchronous <c>KeyboardInterrupt</c> in its thread, repeated until the
    /// call completes (the code may swallow one). Both sides hold the GIL when they touch the state,
    /// so an interrupt never lands in the thread's next call.
    /// </summary>
    private sealed class InterruptState(ulong threadId)
    {
        private readonly Lock _gate = new();
        private bool _active = true;
        private int _requested;

        public bool Requested => Volatile.Read(ref _requested) == 1;

        public void RequestInterrupt()
        {
            if (Interlocked.Exchange(ref _requested, 1) == 1)
            {
                return;
            }

            _ = Task.Run(InterruptUntilCompleteAsync);
        }

        private async Task InterruptUntilCompleteAsync()
        {
            while (Interrupt())
            {
                await Task.Delay(ReInterruptInterval).ConfigureAwait(false);
            }
        }

        /// <summary>Raises the interrupt if the call is still running; returns whether it was.</summary>
        private unsafe bool Interrupt()
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
                    return true;
                }
            }
            finally
            {
                LibPython.PyGILState_Release(gil);
            }
        }

        /// <summary>Marks the call complete and clears an interrupt that was raised but not yet delivered (GIL held).</summary>
        public unsafe void Complete()
        {
            lock (_gate)
            {
                _active = false;
                if (Requested)
                {
                    LibPython.PyThreadState_SetAsyncExc(threadId, 0);
                }
            }
        }
    }
}
