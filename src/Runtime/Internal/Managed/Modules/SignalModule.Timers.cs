using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The signals a call sends itself: <c>alarm</c>, <c>setitimer</c>/<c>getitimer</c> with <c>ITIMER_REAL</c> on the
/// runtime's clock, <c>pause</c>, <c>raise_signal</c>, <c>pthread_kill</c> of the calling thread, and the calling
/// thread's mask (<c>pthread_sigmask</c>, <c>sigpending</c>). The state is the call's (<see cref="CallSignals"/>) and
/// ends with it. Nothing reaches the host process: no OS timer, signal or mask is involved.
/// </summary>
internal sealed unsafe partial class SignalModule
{
    /// <summary><c>SIGALRM</c>, which the real-time timer sends.</summary>
    public const int SigAlrm = 14;

    private const int SigKill = 9;
    private const int SigStop = 19;
    private const int ItimerReal = 0;
    private const int ItimerProf = 2;
    private const int SigBlock = 0;
    private const int SigUnblock = 1;
    private const int SigSetMask = 2;

    /// <summary>Timer values above this many seconds are refused, as CPython refuses those it cannot hold in nanoseconds (about 9.2·10⁹ s).</summary>
    private const double MaxTimerSeconds = 9.2e9;

    private static delegate* unmanaged<nint> s_getFrame;
    private readonly Dictionary<ulong, ulong> _threadMasks = [];
    private readonly Dictionary<ulong, CallSignals> _threadCalls = [];
    private readonly HashSet<long> _ignored = [];
    private nint _itimerError;

    private void PatchTimers(nint module)
    {
        if (_itimerError == 0)
        {
            _itimerError = Py.GetAttr(module, "ItimerError");
            LibPython.PyErr_Clear();
        }

        s_getFrame = (delegate* unmanaged<nint>)LibPython.Export("PyEval_GetFrame");
        _patcher.Replace(module, "_signal", "alarm", "seconds, /", Alarm);
        _patcher.Replace(module, "_signal", "setitimer", "which, seconds, interval=0.0, /", SetTimer);
        _patcher.Replace(module, "_signal", "getitimer", "which, /", GetTimer);
        _patcher.Replace(module, "_signal", "pause", "", Pause);
        _patcher.Replace(module, "_signal", "raise_signal", "signalnum, /", args => SendToSelf("raise_signal", SignalNumber(args, 0, "signalnum", 1)));
        _patcher.Replace(module, "_signal", "pthread_kill", "thread_id, signalnum, /", ThreadKill);
        _patcher.Replace(module, "_signal", "pthread_sigmask", "how, mask, /", ThreadMask);
        _patcher.Replace(module, "_signal", "sigpending", "", _ => NewSignalSet(CallContext.Current?.Signals is { } s ? s.Pending : 0));
    }

    /// <summary>
    /// A signal arrives for a call (any thread, no GIL): discarded when its handler is <c>SIG_IGN</c>, or <c>SIG_DFL</c>
    /// with a default action that ignores it; otherwise written to the wakeup descriptor (when a Python handler is
    /// recorded) and made pending, which interrupts the call.
    /// </summary>
    public void Deliver(CallSignals signals, int signal)
    {
        bool recorded, callable, ignored;
        lock (_handlers)
        {
            recorded = _handlers.ContainsKey(signal);
            callable = recorded ? _callable.Contains(signal) : signal == SigInt;
            ignored = _ignored.Contains(signal);
        }

        if (ignored || (!callable && IgnoredByDefault(signal)))
        {
            return;
        }

        if (callable)
        {
            WriteWakeup(signal);
        }

        signals.Raise(signal);
    }

    /// <summary>
    /// Runs what the call's handler of <paramref name="signal"/> says (call's thread, GIL held): a Python handler is
    /// called with the signal and the current frame; <c>SIG_DFL</c> of a signal whose default action ends a process
    /// ends the call instead (<c>SystemExit</c> naming the signal); <c>SIG_IGN</c> does nothing. False, with the
    /// Python error set, when the handler raised.
    /// </summary>
    public bool RunHandler(int signal)
    {
        var handler = GetHandlerOf(signal);
        if (handler == 0)
        {
            return false;
        }

        try
        {
            if (LibPython.PyCallable_Check(handler) == 1)
            {
                var frame = s_getFrame != null ? s_getFrame() : 0;
                frame = frame == 0 ? LibPython.None : frame;
                LibPython.Py_IncRef(frame);
                var call = Py.Tuple(Py.NewInt(signal), frame);
                var result = Py.Call(handler, call, 0, "signal handler");
                LibPython.Py_DecRef(call);
                if (result == 0)
                {
                    return false;
                }

                LibPython.Py_DecRef(result);
                return true;
            }

            if (IsDefaultHandler(handler) && !IgnoredByDefault(signal))
            {
                var name = NameOf(signal);
                CompatibilityLog.SignalDefaultActionEndedCall(_backend.Compatibility, name);
                var expression = name.StartsWith("SIG", StringComparison.Ordinal) ? "signal." + name : signal.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Py.SetError(LibPython.ExcSystemExit, $"{name} arrived with its default action (SIG_DFL), which ends a process: the managed backend ends the call instead; set a handler with signal.signal({expression}, handler) to catch it");
                return false;
            }

            return true;
        }
        finally
        {
            LibPython.Py_DecRef(handler);
        }
    }

    /// <summary><c>alarm(seconds)</c>: arms (0: disarms) the call's real-time timer; returns the seconds that were left, rounded, as glibc does.</summary>
    private nint Alarm(BridgeArgs args)
    {
        var seconds = unchecked((uint)CInt(args, 0, "seconds"));
        var signals = SignalsOfCall("alarm", create: seconds != 0);
        if (signals is null)
        {
            return Py.NewInt(0);
        }

        var (left, _) = signals.SetRealTimer(TimeSpan.FromSeconds(seconds), TimeSpan.Zero);
        if (seconds != 0)
        {
            CompatibilityLog.SignalTimerArmed(_backend.Compatibility, "alarm", seconds, 0);
        }

        var whole = left == TimeSpan.Zero ? 0 : Math.Max(1, (long)Math.Round(left.TotalSeconds, MidpointRounding.AwayFromZero));
        return Py.NewInt(whole);
    }

    /// <summary>
    /// <c>setitimer(which, seconds, interval=0.0)</c>: <c>ITIMER_REAL</c> on the runtime's clock; the CPU-time timers
    /// (<c>ITIMER_VIRTUAL</c>, <c>ITIMER_PROF</c>) are not emulated and refuse to be armed. Returns the old (delay, interval).
    /// </summary>
    private nint SetTimer(BridgeArgs args)
    {
        var which = CInt(args, 0, "which");
        var value = TimerValue(Arg.Required(args, 1, "seconds"));
        var intervalObject = Arg.Optional(args, "interval");
        var interval = intervalObject == 0 ? TimeSpan.Zero : TimerValue(intervalObject);
        if (which is < ItimerReal or > ItimerProf || value < TimeSpan.Zero || interval < TimeSpan.Zero)
        {
            throw ItimerError();
        }

        if (which != ItimerReal)
        {
            return value == TimeSpan.Zero
                ? Py.Tuple(LibPython.PyFloat_FromDouble(0), LibPython.PyFloat_FromDouble(0))
                : throw new UnsupportedOperationException($"signal.setitimer({(which == ItimerProf ? "ITIMER_PROF" : "ITIMER_VIRTUAL")}) is not supported by the managed backend: CPU-time timers are not emulated (ITIMER_REAL is, on the runtime's clock)");
        }

        var signals = SignalsOfCall("setitimer", create: value != TimeSpan.Zero);
        if (signals is null)
        {
            return Py.Tuple(LibPython.PyFloat_FromDouble(0), LibPython.PyFloat_FromDouble(0));
        }

        var (left, every) = signals.SetRealTimer(value, interval);
        if (value != TimeSpan.Zero)
        {
            CompatibilityLog.SignalTimerArmed(_backend.Compatibility, "setitimer", value.TotalSeconds, interval.TotalSeconds);
        }

        return Py.Tuple(LibPython.PyFloat_FromDouble(Microseconds(left)), LibPython.PyFloat_FromDouble(Microseconds(every)));
    }

    /// <summary><c>getitimer(which)</c>: the call's real-time timer (delay left, interval); the CPU-time timers are never armed.</summary>
    private nint GetTimer(BridgeArgs args)
    {
        var which = Arg.Int(args, 0, "which");
        if (which is < ItimerReal or > ItimerProf)
        {
            throw ItimerError();
        }

        var (left, every) = which == ItimerReal && CallContext.Current?.Signals is { } signals ? signals.RealTimer : default;
        return Py.Tuple(LibPython.PyFloat_FromDouble(Microseconds(left)), LibPython.PyFloat_FromDouble(Microseconds(every)));
    }

    /// <summary><c>pause()</c>: waits, without the GIL, until a signal's handler ran (or its exception propagates), or the call is cancelled.</summary>
    private nint Pause(BridgeArgs args)
    {
        if (CallContext.Current is null)
        {
            throw new UnsupportedOperationException("signal.pause in a thread Python started is not supported by the managed backend: signals are delivered to the thread of the call");
        }

        var signals = SignalsOfCall("pause", create: true)!;
        while (true)
        {
            var wait = SignalWait.Begin();
            var state = LibPython.PyEval_SaveThread();
            try
            {
                Task.Delay(Timeout.InfiniteTimeSpan, wait.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (wait.Interrupted)
            {
                // A signal arrived: its handler runs below.
            }
            finally
            {
                LibPython.PyEval_RestoreThread(state);
            }

            if ((signals.Pending & ~signals.Blocked) != 0)
            {
                wait.RunHandlers();
                return Py.NewNone();
            }

            // Woken with nothing to handle (a signal already handled): the next wait gets a fresh token.
            wait.RunHandlers();
        }
    }

    /// <summary><c>os.kill(os.getpid(), signal)</c>: as <c>raise_signal</c>; signal 0 only checks that the process exists.</summary>
    private nint SignalSelf(int signal)
    {
        if (signal is < 0 or > 64)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        return signal == 0 ? Py.NewNone() : SendToSelf("kill", signal);
    }

    /// <summary><c>pthread_kill(thread_id, signalnum)</c>: the calling thread of a call only (signal 0 checks that it exists).</summary>
    private nint ThreadKill(BridgeArgs args)
    {
        var id = Arg.Required(args, 0, "thread_id");
        var thread = ((delegate* unmanaged<nint, ulong>)LibPython.Export("PyLong_AsUnsignedLong"))(id);
        if (LibPython.PyErr_Occurred() != 0)
        {
            throw new PythonErrorException();
        }

        var signal = SignalNumber(args, 1, "signalnum", 0);
        var signals = CallContext.Current is null ? SignalsOfThread() : SignalsOfCall("pthread_kill", create: true);
        if (signals is null || thread != signals.ThreadId)
        {
            throw new UnsupportedOperationException("signal.pthread_kill is supported by the managed backend only for the thread of the call (threading.get_ident() in the call, or from threads it started): signals reach no other thread");
        }

        return signal == 0 ? Py.NewNone() : SendToSelf("pthread_kill", signal);
    }

    /// <summary>
    /// <c>raise_signal</c>, <c>pthread_kill</c> of the calling thread: the signal arrives now and, unless blocked, its
    /// handler runs before the function returns, as in CPython. <c>SIGKILL</c> and <c>SIGSTOP</c> cannot be emulated.
    /// </summary>
    private nint SendToSelf(string function, int signal)
    {
        if (signal is SigKill or SigStop)
        {
            var qualified = function == "kill" ? "os.kill(os.getpid(), ...)" : "signal." + function;
            throw new UnsupportedOperationException($"{qualified} with {NameOf(signal)} is not supported by the managed backend: the signal would end or stop the host process");
        }

        var signals = SignalsOfCall(function, create: true)!;
        CompatibilityLog.SignalSentToSelf(_backend.Compatibility, function, signal);
        Deliver(signals, signal);

        // In the call's thread the handler runs before the function returns; from a thread the call started, it runs in
        // the call's thread at its next check, as a process's signal runs in its main thread.
        return signals.ThreadId != LibPython.PyThread_get_thread_ident() || signals.RunPending() ? Py.NewNone() : 0;
    }

    /// <summary>
    /// Called in a call's thread when Python starts a thread (<paramref name="thread"/>): the signals that thread sends
    /// or arms go to the call. A thread started by such a thread belongs to the same call.
    /// </summary>
    public void AdoptThread(ulong thread)
    {
        var signals = CallContext.Current is null ? SignalsOfThread() : SignalsOfCall("start_new_thread", create: true);
        if (signals is null)
        {
            return;
        }

        lock (_threadCalls)
        {
            // Entries of ended calls go as new threads come: the table holds only threads of running calls, and a few.
            if (_threadCalls.Count >= 64)
            {
                foreach (var ended in _threadCalls.Where(static e => e.Value.Ended).Select(static e => e.Key).ToList())
                {
                    _threadCalls.Remove(ended);
                }
            }

            _threadCalls[thread] = signals;
        }
    }

    /// <summary>The signals of the call that started the current thread (a Python thread), or null when it ended or is unknown.</summary>
    private CallSignals? SignalsOfThread()
    {
        lock (_threadCalls)
        {
            return _threadCalls.TryGetValue(LibPython.PyThread_get_thread_ident(), out var signals) && !signals.Ended ? signals : null;
        }
    }

    /// <summary>
    /// <c>pthread_sigmask(how, mask)</c>: changes the calling thread's emulated mask and returns the old one; signals it
    /// unblocks that were pending are handled before it returns. <c>SIGKILL</c> and <c>SIGSTOP</c> cannot be blocked.
    /// </summary>
    private nint ThreadMask(BridgeArgs args)
    {
        var how = Arg.Int(args, 0, "how");
        var numbers = Arg.Items(Arg.Required(args, 1, "mask"), "mask", (o, n) => Arg.Long(o, n));
        var bits = 0UL;
        foreach (var number in numbers)
        {
            if (number is < 1 or > 64)
            {
                throw new PythonArgumentException($"signal number {number} out of range [1; 64]", isValueError: true);
            }

            bits |= 1UL << (int)(number - 1);
        }

        bits &= ~((1UL << (SigKill - 1)) | (1UL << (SigStop - 1)));
        if (how is not (SigBlock or SigUnblock or SigSetMask))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        ulong Apply(ulong old) => how switch
        {
            SigBlock => old | bits,
            SigUnblock => old & ~bits,
            _ => bits,
        };

        ulong previous;
        var signals = CallContext.Current is null ? null : SignalsOfCall("pthread_sigmask", create: true);
        if (signals is not null)
        {
            previous = signals.Blocked;
            signals.Blocked = Apply(previous);
        }
        else
        {
            // A thread Python started: no signal is ever delivered to it; its mask is only remembered.
            var thread = LibPython.PyThread_get_thread_ident();
            lock (_threadMasks)
            {
                _threadMasks.TryGetValue(thread, out previous);
                _threadMasks[thread] = Apply(previous);
            }
        }

        var result = NewSignalSet(previous);
        if (result != 0 && signals is not null && !signals.RunPending())
        {
            LibPython.Py_DecRef(result);
            return 0;
        }

        return result;
    }

    /// <summary>The call's signal state, made when <paramref name="create"/>; a thread with no call (one Python started) has none.</summary>
    private CallSignals? SignalsOfCall(string function, bool create)
    {
        var call = CallContext.Current;
        if (call is null)
        {
            // A thread Python started: its signals go to the call that started it.
            return SignalsOfThread() ?? throw new UnsupportedOperationException($"signal.{function} in a thread whose call ended is not supported by the managed backend: the runtime's signals are delivered to the thread of a running call");
        }

        if (call.Signals is null && create)
        {
            call.Signals = new CallSignals(this, _backend.Clock);
        }

        return call.Signals;
    }

    /// <summary>An argument CPython reads as a C <c>int</c>: an integer (not a float), <c>OverflowError</c> outside the range.</summary>
    private static int CInt(BridgeArgs args, int index, string name)
    {
        var o = Arg.Required(args, index, name);
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            var value = LibPython.PyLong_AsLongLong(o);
            if (value == -1 && LibPython.PyErr_Occurred() != 0)
            {
                LibPython.PyErr_Clear();
                value = long.MaxValue;
            }

            if (value is < int.MinValue or > int.MaxValue)
            {
                Py.SetError(LibPython.ExcOverflowError, value < 0 ? "signed integer is less than minimum" : "signed integer is greater than maximum");
                throw new PythonErrorException();
            }

            return (int)value;
        }

        return (int)Arg.Long(o, name); // not an integer: TypeError, as CPython's
    }

    private static int SignalNumber(BridgeArgs args, int index, string name, int lowest)
    {
        var number = Arg.Long(args, index, name);
        return number >= lowest && number <= 64 ? (int)number : throw new PythonArgumentException("signal number out of range", true);
    }

    /// <summary>A timer value in seconds, rounded up to the microsecond as CPython rounds it into a <c>timeval</c>.</summary>
    private static TimeSpan TimerValue(nint o)
    {
        var seconds = Arg.Seconds(o);
        if (double.IsNaN(seconds))
        {
            throw new PythonArgumentException("Invalid value NaN (not a number)", isValueError: true);
        }

        if (Math.Abs(seconds) > MaxTimerSeconds)
        {
            Py.SetError(LibPython.ExcOverflowError, "timestamp too large to convert to C _PyTime_t");
            throw new PythonErrorException();
        }

        return TimeSpan.FromTicks((long)Math.Ceiling(seconds * 1e6) * 10);
    }

    private static double Microseconds(TimeSpan value) => Math.Ceiling(value.TotalMicroseconds) / 1e6;

    /// <summary><c>signal.ItimerError(EINVAL)</c>, as CPython raises for a timer the system refuses.</summary>
    private PythonErrorException ItimerError()
    {
        if (_itimerError == 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var arguments = Py.Tuple(Py.NewInt(Errno.EINVAL), Py.NewString("Invalid argument"));
        var error = arguments == 0 ? 0 : LibPython.PyObject_Call(_itimerError, arguments, 0);
        LibPython.Py_DecRef(arguments);
        if (error != 0)
        {
            LibPython.PyErr_SetObject(_itimerError, error);
            LibPython.Py_DecRef(error);
        }

        return new PythonErrorException();
    }

    /// <summary>A set of the signal numbers in <paramref name="bits"/> (new reference), or 0 with the error set.</summary>
    private static nint NewSignalSet(ulong bits)
    {
        var set = ((delegate* unmanaged<nint, nint>)LibPython.Export("PySet_New"))(0);
        var add = (delegate* unmanaged<nint, nint, int>)LibPython.Export("PySet_Add");
        for (var signal = 1; set != 0 && signal <= 64; signal++)
        {
            if ((bits & (1UL << (signal - 1))) == 0)
            {
                continue;
            }

            var number = Py.NewInt(signal);
            if (number == 0 || add(set, number) < 0)
            {
                LibPython.Py_DecRef(number);
                LibPython.Py_DecRef(set);
                return 0;
            }

            LibPython.Py_DecRef(number);
        }

        return set;
    }

    /// <summary>Signals whose default action is to ignore them (or to stop the process, which the runtime never does).</summary>
    private static bool IgnoredByDefault(int signal) => signal is SigChld or 18 or 19 or 20 or 21 or 22 or 23 or 28;

    private static string NameOf(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        SigKill => "SIGKILL",
        10 => "SIGUSR1",
        12 => "SIGUSR2",
        SigAlrm => "SIGALRM",
        15 => "SIGTERM",
        SigStop => "SIGSTOP",
        26 => "SIGVTALRM",
        27 => "SIGPROF",
        _ => $"signal {signal}",
    };
}
