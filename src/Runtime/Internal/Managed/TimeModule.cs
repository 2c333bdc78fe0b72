using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed;

/// <summary>Patches <c>time</c>: every clock read follows the injected <see cref="TimeProvider"/>; <c>sleep</c> waits on it.</summary>
internal static unsafe class TimeModule
{
    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "mktime", "strptime", "get_clock_info", "process_time", "process_time_ns", "thread_time", "thread_time_ns",
        "struct_time", "pthread_getcpuclockid", "clock_getres",
    };

    private static ManagedBackend B => ManagedBackend.Current;

    public static int Patch(nint module)
    {
        ModulePatcher.Replace(module, "time", "time", _ => LibPython.PyFloat_FromDouble(Seconds()));
        ModulePatcher.Replace(module, "time", "time_ns", _ => Py.NewInt(Nanoseconds()));
        ModulePatcher.Replace(module, "time", "monotonic", _ => LibPython.PyFloat_FromDouble(Monotonic()));
        ModulePatcher.Replace(module, "time", "monotonic_ns", _ => Py.NewInt((long)(Monotonic() * 1e9)));
        ModulePatcher.Replace(module, "time", "perf_counter", _ => LibPython.PyFloat_FromDouble(Monotonic()));
        ModulePatcher.Replace(module, "time", "perf_counter_ns", _ => Py.NewInt((long)(Monotonic() * 1e9)));
        ModulePatcher.Replace(module, "time", "clock_gettime", args => LibPython.PyFloat_FromDouble(Arg.Int(args, 0, "clk_id") == 0 ? Seconds() : Monotonic()));
        ModulePatcher.Replace(module, "time", "clock_gettime_ns", args => Py.NewInt(Arg.Int(args, 0, "clk_id") == 0 ? Nanoseconds() : (long)(Monotonic() * 1e9)));
        ModulePatcher.Replace(module, "time", "sleep", Sleep);
        foreach (var name in (ReadOnlySpan<string>)["localtime", "gmtime", "ctime"])
        {
            var n = name;
            ModulePatcher.Replace(module, "time", n, args => WithDefaultSeconds(n, args));
        }

        ModulePatcher.Replace(module, "time", "asctime", args => WithDefaultTuple("asctime", args, 0));
        ModulePatcher.Replace(module, "time", "strftime", args => WithDefaultTuple("strftime", args, 1));
        ModulePatcher.Replace(module, "time", "tzset", _ =>
        {
            CompatibilityLog.Ignored(B.Compatibility, "time.tzset (the process time zone is not re-read)");
            return Py.NewNone();
        });
        ModulePatcher.DenyUnclassified(module, "time", n => ModulePatcher.Original("time", n) != 0);
        return 0;
    }

    private static double Seconds() => Nanoseconds() / 1e9;

    private static long Nanoseconds() => (B.Clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static double Monotonic() => B.Clock.GetTimestamp() / (double)B.Clock.TimestampFrequency;

    private static nint Sleep(BridgeArgs args)
    {
        var o = args.Get(0, "secs");
        if (o == 0)
        {
            throw new PythonArgumentException("sleep() takes exactly one argument (0 given)");
        }

        var seconds = LibPython.PyFloat_AsDouble(o);
        if (seconds == -1 && LibPython.PyErr_Occurred() != 0)
        {
            return 0;
        }

        if (double.IsNaN(seconds) || seconds < 0)
        {
            throw new PythonArgumentException("sleep length must be non-negative", true);
        }

        var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
        var state = LibPython.PyEval_SaveThread();
        try
        {
            Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)), B.Clock, token).GetAwaiter().GetResult();
        }
        finally
        {
            LibPython.PyEval_RestoreThread(state);
        }

        return Py.NewNone();
    }

    /// <summary>localtime/gmtime/ctime with no argument use the provider's time, then the original C function.</summary>
    private static nint WithDefaultSeconds(string name, BridgeArgs args)
    {
        var original = ModulePatcher.Original("time", name);
        var secs = args.Get(0, "seconds");
        if (secs != 0 && secs != LibPython.None)
        {
            return args.Forward(original);
        }

        var tuple = Py.Tuple(Py.NewInt(FloorSeconds()));
        var result = LibPython.PyObject_Call(original, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result;
    }

    /// <summary>asctime/strftime with no time tuple use <c>localtime()</c> of the provider's time.</summary>
    private static nint WithDefaultTuple(string name, BridgeArgs args, int tupleIndex)
    {
        var original = ModulePatcher.Original("time", name);
        if (args.Count > tupleIndex)
        {
            return args.Forward(original);
        }

        var localtime = ModulePatcher.Original("time", "localtime");
        var secs = Py.Tuple(Py.NewInt(FloorSeconds()));
        var tm = LibPython.PyObject_Call(localtime, secs, 0);
        LibPython.Py_DecRef(secs);
        if (tm == 0)
        {
            return 0;
        }

        nint call;
        if (tupleIndex == 0)
        {
            call = Py.Tuple(tm);
        }
        else
        {
            var format = args[0];
            if (format == 0)
            {
                LibPython.Py_DecRef(tm);
                throw new PythonArgumentException("strftime() missing required argument 'format' (pos 1)");
            }

            LibPython.Py_IncRef(format);
            call = Py.Tuple(format, tm);
        }

        var result = LibPython.PyObject_Call(original, call, 0);
        LibPython.Py_DecRef(call);
        return result;
    }

    private static long FloorSeconds() => (long)Math.Floor(Seconds());
}
