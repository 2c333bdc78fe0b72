using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>Patches <c>time</c>: every clock read follows the injected <see cref="TimeProvider"/>; <c>sleep</c> waits on it.</summary>
internal sealed unsafe partial class TimeModule
{
    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "strptime", "get_clock_info", "process_time", "process_time_ns", "thread_time", "thread_time_ns",
        "struct_time",
    };

    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>
    /// The monotonic clock counts from the provider's timestamp when the runtime started (its reference point is
    /// undefined in Python too): a fake clock's timestamps are ticks since year 1, too many nanoseconds for an int64.
    /// </summary>
    private long _origin = long.MinValue;

    /// <summary>Initializes a new instance of the <see cref="TimeModule"/> class, whose clocks are <paramref name="backend"/>'s.</summary>
    /// <param name="backend">The backend whose <see cref="TimeProvider"/> the clocks follow.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public TimeModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
        Zone = new TimeZones.RuntimeTimeZone(backend);
    }

    /// <summary>Gets the runtime's local time zone, which <c>time</c> and <c>datetime</c> convert with.</summary>
    public TimeZones.RuntimeTimeZone Zone { get; }

    public int Patch(nint module)
    {
        Elapsed(); // fixes the origin
        _patcher.Replace(module, "time", "time", "", _ => LibPython.PyFloat_FromDouble(Seconds()));
        _patcher.Replace(module, "time", "time_ns", "", _ => Py.NewInt(Nanoseconds()));
        _patcher.Replace(module, "time", "monotonic", "", _ => LibPython.PyFloat_FromDouble(Monotonic()));
        _patcher.Replace(module, "time", "monotonic_ns", "", _ => Py.NewInt(MonotonicNanoseconds()));
        _patcher.Replace(module, "time", "perf_counter", "", _ => LibPython.PyFloat_FromDouble(Monotonic()));
        _patcher.Replace(module, "time", "perf_counter_ns", "", _ => Py.NewInt(MonotonicNanoseconds()));
        _patcher.Replace(module, "time", "clock_gettime", "clk_id, /", args => ClockOf(args) switch
        {
            Clock.Realtime => LibPython.PyFloat_FromDouble(Seconds()),
            Clock.Monotonic => LibPython.PyFloat_FromDouble(Monotonic()),
            _ => args.Forward(ModulePatcher.Original("time", "clock_gettime")),
        });
        _patcher.Replace(module, "time", "clock_gettime_ns", "clk_id, /", args => ClockOf(args) switch
        {
            Clock.Realtime => Py.NewInt(Nanoseconds()),
            Clock.Monotonic => Py.NewInt(MonotonicNanoseconds()),
            _ => args.Forward(ModulePatcher.Original("time", "clock_gettime_ns")),
        });
        _patcher.Replace(module, "time", "clock_getres", "clk_id, /", args =>
        {
            _ = ClockOf(args, "time.clock_getres");
            return args.Forward(ModulePatcher.Original("time", "clock_getres"));
        });
        _patcher.Replace(module, "time", "pthread_getcpuclockid", "thread_id, /", ThreadClock);
        _patcher.Replace(module, "time", "sleep", "secs, /", Sleep);
        _patcher.Replace(module, "time", "gmtime", "seconds=None, /", args => WithDefaultSeconds("gmtime", args));
        PatchLocalTime(module);
        _patcher.DenyUnclassified(module, "time", n => ModulePatcher.Original("time", n) != 0);
        return 0;
    }

    private double Seconds() => Nanoseconds() / 1e9;

    /// <summary>Gets <c>time.time_ns()</c>: the provider's time, in nanoseconds since the Unix epoch.</summary>
    internal long Nanoseconds() => (_backend.Clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private long Elapsed()
    {
        var now = _backend.Clock.GetTimestamp();
        if (Volatile.Read(ref _origin) == long.MinValue)
        {
            Interlocked.CompareExchange(ref _origin, now, long.MinValue);
        }

        return now - _origin;
    }

    /// <summary>Gets <c>time.monotonic()</c>: seconds of the provider's timestamps since this runtime's first clock read.</summary>
    internal double Monotonic() => Elapsed() / (double)_backend.Clock.TimestampFrequency;

    /// <summary>Gets <c>time.monotonic_ns()</c>: nanoseconds of the provider's timestamps since this runtime's first clock read.</summary>
    internal long MonotonicNanoseconds() => (long)((Int128)Elapsed() * 1_000_000_000 / _backend.Clock.TimestampFrequency);

    private enum Clock
    {
        Realtime,
        Monotonic,
        Other,
    }

    /// <summary>
    /// Linux clock ids: the wall clocks follow the provider's time, the monotonic ones its timestamps; the CPU time of
    /// this process and of the calling thread stays real. Any other id is refused as Linux refuses an unknown clock:
    /// negative ids name the CPU clock of another process or thread of the host (any pid, any thread).
    /// </summary>
    private Clock ClockOf(BridgeArgs args, string function = "time.clock_gettime") => Arg.Int(args, 0, "clk_id") switch
    {
        0 or 5 or 8 or 11 => Clock.Realtime, // REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI
        1 or 4 or 6 or 7 or 9 => Clock.Monotonic, // MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME, BOOTTIME_ALARM
        2 or 3 => Clock.Other, // PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID
        var id => throw Hidden(function, id, Errno.EINVAL, "Invalid argument"),
    };

    /// <summary>
    /// <c>time.pthread_getcpuclockid(thread_id)</c>: CPython passes the integer to the C library as a thread handle, a
    /// pointer (any other value crashes the host). Only the calling thread is known to be alive: its CPU clock is
    /// <c>CLOCK_THREAD_CPUTIME_ID</c>, which <c>clock_gettime</c> reads for it; any other id is ESRCH.
    /// </summary>
    private nint ThreadClock(BridgeArgs args)
    {
        var id = Arg.Long(args, 0, "thread_id");
        return (ulong)id == LibPython.PyThread_get_thread_ident() ? Py.NewInt(ThreadCpuTimeClock) : throw Hidden("time.pthread_getcpuclockid", id, Errno.ESRCH, "No such process");
    }

    private const int ThreadCpuTimeClock = 3;

    private PythonIOException Hidden(string function, long id, int errno, string message)
    {
        PosixLog.HiddenIdentifier(_backend.Compatibility, function, id, errno == Errno.ESRCH ? "ESRCH" : "EINVAL");
        return new PythonIOException(errno, message);
    }

    private nint Sleep(BridgeArgs args)
    {
        var seconds = Arg.Seconds(Arg.Required(args, 0, "secs"));
        if (double.IsNaN(seconds) || seconds < 0)
        {
            throw new PythonArgumentException("sleep length must be non-negative", true);
        }

        if (seconds >= TimeSpan.MaxValue.TotalSeconds)
        {
            return Py.SetError(LibPython.ExcOverflowError, "sleep length is too large");
        }

        // A signal interrupting the sleep runs its handler; the sleep goes on for what is left (PEP 475).
        var clock = _backend.Clock;
        SignalWait.WithoutGil(clock, TimeSpan.FromSeconds(seconds), (left, token) =>
        {
            // Timers take at most ~49 days: longer sleeps wait in steps, on the provider's clock.
            var remaining = left!.Value;
            while (remaining > TimeSpan.Zero)
            {
                var step = remaining < MaxSleepStep ? remaining : MaxSleepStep;
                Task.Delay(step, clock, token).GetAwaiter().GetResult();
                remaining -= step;
            }

            return 0;
        });

        return Py.NewNone();
    }

    private static readonly TimeSpan MaxSleepStep = TimeSpan.FromDays(1);

    /// <summary>gmtime with no argument uses the provider's time, then the original C function.</summary>
    private nint WithDefaultSeconds(string name, BridgeArgs args)
    {
        var original = ModulePatcher.Original("time", name);
        if (Arg.Optional(args, "seconds") != 0)
        {
            return args.Forward(original);
        }

        var tuple = Py.Tuple(Py.NewInt(FloorSeconds()));
        var result = Py.Call(original, tuple, 0, "time." + name);
        LibPython.Py_DecRef(tuple);
        return result;
    }

    private long FloorSeconds() => (long)Math.Floor(Seconds());
}
