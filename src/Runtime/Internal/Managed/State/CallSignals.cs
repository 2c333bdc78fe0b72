using PyHosting.Internal.Managed.Modules;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The emulated signals of one call: its real-time interval timer (<c>signal.alarm</c>, <c>setitimer(ITIMER_REAL)</c>),
/// the signals that arrived and are not yet handled, and the mask of its thread. Made the first time the call arms a
/// timer or signals itself, and ended with the call (<see cref="CallContext.Return"/>): a timer never outlives the
/// call that armed it, so it never fires into another caller's call.
/// </summary>
/// <remarks>
/// A signal arrives on the timer's thread, without the GIL. It is recorded as pending and then, as a process's kernel
/// would: every blocking wait of the call is woken (its token, <see cref="WaitToken"/>, is cancelled), and CPython's
/// evaluation loop is told to check for signals (<see cref="CallInterrupter.DeliverSignal"/>), so that the Python
/// handler runs in the call's thread at its next instruction, or where C code polls for signals. The handlers run in
/// <see cref="RunPending"/>, with the GIL. Like a POSIX signal, a signal that arrives again before it was handled is
/// handled once.
/// </remarks>
internal sealed unsafe class CallSignals : IDisposable
{
    /// <summary>The shortest period of a repeating timer: shorter intervals are stretched to it, so that a timer cannot keep a host thread busy.</summary>
    public static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest single timer step: longer timers wake once on the way and go on (a timer takes at most ~49 days).</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private readonly SignalModule _module;
    private readonly TimeProvider _clock;
    private CancellationTokenSource _wake = new();
    private CancellationTokenSource? _linked;
    private CancellationToken _linkedFor;
    private ulong _pending;
    private ulong _blocked;
    private ITimer? _timer;
    private long _deadline;
    private TimeSpan _interval;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="CallSignals"/> class for the call running on the current thread.</summary>
    /// <param name="module">The signal module whose recorded handlers run.</param>
    /// <param name="clock">The runtime's clock, on which timers run.</param>
    public CallSignals(SignalModule module, TimeProvider clock)
    {
        _module = module;
        _clock = clock;
        ThreadId = Interop.LibPython.PyThread_get_thread_ident();
    }

    /// <summary>Gets a value indicating whether the call ended (its signals are discarded).</summary>
    public bool Ended => Volatile.Read(ref _disposed);

    /// <summary>Gets the CPython thread identifier of the call's thread, where handlers run.</summary>
    public ulong ThreadId { get; }

    /// <summary>Gets the signals that arrived and were not handled yet, as a bit mask (bit <c>n - 1</c> for signal <c>n</c>).</summary>
    public ulong Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>Gets or sets the emulated mask of the call's thread (<c>pthread_sigmask</c>): blocked signals stay pending.</summary>
    public ulong Blocked
    {
        get
        {
            lock (_gate)
            {
                return _blocked;
            }
        }

        set
        {
            lock (_gate)
            {
                _blocked = value;
            }
        }
    }

    /// <summary>
    /// Gets the token a blocking wait of the call observes: cancelled when the call is (<paramref name="callToken"/>) or
    /// when a signal arrives that the call has not handled yet.
    /// </summary>
    public CancellationToken WaitToken(CancellationToken callToken)
    {
        lock (_gate)
        {
            if (_linked is null || _linkedFor != callToken)
            {
                _linked?.Dispose();
                _linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, _wake.Token);
                _linkedFor = callToken;
            }

            return _linked.Token;
        }
    }

    /// <summary>Gets the time left before the real-time timer expires, and its interval (both zero: not armed).</summary>
    public (TimeSpan Remaining, TimeSpan Interval) RealTimer
    {
        get
        {
            lock (_gate)
            {
                if (_timer is null)
                {
                    return (TimeSpan.Zero, TimeSpan.Zero);
                }

                var left = _clock.GetElapsedTime(_clock.GetTimestamp(), _deadline);
                return (left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _interval);
            }
        }
    }

    /// <summary>Arms (or with a zero <paramref name="value"/> disarms) the real-time timer; returns what it was.</summary>
    public (TimeSpan Remaining, TimeSpan Interval) SetRealTimer(TimeSpan value, TimeSpan interval)
    {
        lock (_gate)
        {
            var previous = RealTimer;
            _timer?.Dispose();
            _timer = null;
            if (_disposed || value <= TimeSpan.Zero)
            {
                return previous;
            }

            _interval = interval;
            _deadline = _clock.GetTimestamp() + (long)Math.Min(value.TotalSeconds * _clock.TimestampFrequency, long.MaxValue / 2);
            _timer = _clock.CreateTimer(static s => ((CallSignals)s!).Expired(), this, Step(value), Timeout.InfiniteTimeSpan);
            return previous;
        }
    }

    /// <summary>
    /// Records <paramref name="signal"/> as arrived and, unless the thread blocks it, wakes the call's waits and asks the
    /// evaluation loop to run its handler. Any thread, no GIL needed.
    /// </summary>
    public void Raise(int signal)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var bit = 1UL << (signal - 1);
            _pending |= bit;
            if ((_blocked & bit) != 0)
            {
                return;
            }

            _wake.Cancel();

            // Under the gate: Dispose, which gives CPython's main thread back, cannot run between the check and this.
            CallInterrupter.DeliverSignal(this, ThreadId);
        }
    }

    /// <summary>
    /// Runs the handlers of the signals that arrived and are not blocked, lowest number first (call's thread, GIL held);
    /// false, with the Python error set, when one raised (the signals not handled yet stay pending).
    /// </summary>
    public bool RunPending()
    {
        ulong taken;
        lock (_gate)
        {
            taken = _pending & ~_blocked;
            _pending &= ~taken;
            if (_wake.IsCancellationRequested && (_pending & ~_blocked) == 0)
            {
                // A cancelled source cannot be reset: the next wait observes a fresh one. The old one is left to the
                // collector, a timer may still be cancelling it.
                _wake = new CancellationTokenSource();
                _linked?.Dispose();
                _linked = null;
            }
        }

        for (var signal = 1; taken != 0; signal++, taken >>= 1)
        {
            if ((taken & 1) != 0 && !_module.RunHandler(signal))
            {
                lock (_gate)
                {
                    _pending |= taken >> 1 << signal;
                }

                return false;
            }
        }

        return true;
    }

    /// <summary>Ends the call's signals: the timer stops and CPython's main thread is given back. Call's thread, GIL held.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _linked?.Dispose();
            _linked = null;
        }

        CallInterrupter.Release(this);
    }

    /// <summary>The timer's callback (a pool thread, or the thread advancing a fake clock).</summary>
    private void Expired()
    {
        lock (_gate)
        {
            if (_disposed || _timer is null)
            {
                return;
            }

            var now = _clock.GetTimestamp();
            if (now < _deadline)
            {
                // A long timer's intermediate step.
                _timer.Change(Step(_clock.GetElapsedTime(now, _deadline)), Timeout.InfiniteTimeSpan);
                return;
            }

            if (_interval > TimeSpan.Zero)
            {
                var period = _interval < MinimumPeriod ? MinimumPeriod : _interval;
                var periodTicks = (long)(period.TotalSeconds * _clock.TimestampFrequency);
                _deadline += periodTicks;
                if (_deadline <= now)
                {
                    // Expiries missed meanwhile are one signal, as a kernel coalesces them.
                    _deadline = now + periodTicks;
                }

                _timer.Change(Step(_clock.GetElapsedTime(now, _deadline)), Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Dispose();
                _timer = null;
            }

        }

        _module.Deliver(this, SignalModule.SigAlrm);
    }

    /// <summary>
    /// The Python-level handler of the signal that <see cref="CallInterrupter.DeliverSignal"/> simulates: runs the
    /// pending handlers of the call on this thread. Nothing is pending for a call that already handled them, or ended;
    /// a call being cancelled runs no more handlers.
    /// </summary>
    public static nint Dispatch(Bridge.BridgeArgs args)
        => CallContext.Current is { Signals: { } signals } call && !call.CancellationToken.IsCancellationRequested && !signals.RunPending() ? 0 : Interop.Py.NewNone();

    private static TimeSpan Step(TimeSpan left) => left < MinimumPeriod ? MinimumPeriod : left > MaxStep ? MaxStep : left;
}
