namespace PyHosting.Internal.Managed.State;

/// <summary>
/// One blocking wait of a call that an emulated signal interrupts, as a signal interrupts a system call: the wait
/// observes <see cref="Token"/>; when it ends with <see cref="OperationCanceledException"/> and <see cref="Interrupted"/>
/// holds, the caller takes the GIL back, runs the handlers (<see cref="RunHandlers"/>, whose exception propagates) and,
/// as CPython does since PEP 475, retries with what is left of its timeout.
/// </summary>
internal readonly unsafe struct SignalWait
{
    private readonly CallContext? _call;

    private SignalWait(CallContext? call)
    {
        _call = call;
        Token = call?.WaitToken ?? CancellationToken.None;
    }

    /// <summary>Gets the token the wait observes: the call's cancellation, and the arrival of a signal.</summary>
    public CancellationToken Token { get; }

    /// <summary>Gets a value indicating whether a wait that was cancelled was ended by a signal, not by the call's cancellation.</summary>
    public bool Interrupted => _call is { Signals: not null } call && Token.IsCancellationRequested && !call.CancellationToken.IsCancellationRequested;

    /// <summary>Starts a wait on the current thread (a thread with no call observes nothing).</summary>
    public static SignalWait Begin() => new(CallContext.Current);

    /// <summary>
    /// Runs <paramref name="wait"/> without the GIL (GIL held on entry and return) with what is left of
    /// <paramref name="limit"/> on <paramref name="clock"/> (null: no limit) and the token to observe; a signal that
    /// interrupts it runs its handlers and the wait is retried with what is left.
    /// </summary>
    /// <exception cref="PythonErrorException">A handler raised (its exception is set).</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static T WithoutGil<T>(TimeProvider clock, TimeSpan? limit, Func<TimeSpan?, CancellationToken, T> wait)
    {
        var start = clock.GetTimestamp();
        var left = limit;
        while (true)
        {
            var signal = Begin();
            var state = Interop.LibPython.PyEval_SaveThread();
            try
            {
                return wait(left, signal.Token);
            }
            catch (OperationCanceledException) when (signal.Interrupted)
            {
                // EINTR: the handlers run below, with the GIL.
            }
            finally
            {
                Interop.LibPython.PyEval_RestoreThread(state);
            }

            signal.RunHandlers();
            if (limit is { } total)
            {
                var remaining = total - clock.GetElapsedTime(start);
                left = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Runs the handlers of the signals that arrived (GIL held).</summary>
    /// <exception cref="PythonErrorException">A handler raised (its exception is set).</exception>
    public void RunHandlers()
    {
        if (_call?.Signals is { } signals && !signals.RunPending())
        {
            throw new PythonErrorException();
        }
    }
}
