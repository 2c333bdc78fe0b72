using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Functions that name a process by its pid (or a group or user of processes). CPython would answer for any
/// process of the host — its group, session, scheduling and priority — although <c>getppid()</c> is emulated.
/// The runtime sees itself (pid 0 or <c>getpid()</c>) and its own child processes (answered as for itself: their
/// pids are virtual); any other pid does not exist
/// for it (<c>ESRCH</c>, <c>ProcessLookupError</c> in Python), as for a process in another pid namespace.
/// The runtime is its own process group and session leader, consistent with its emulated parent (pid 1).
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    private const int PrioProcess = 0;
    private const int PrioProcessGroup = 1;
    private const int PrioUser = 2;
    private const int TupleItemsOffset = 24;

    /// <summary>Functions answered by the original C function once their pid is the runtime's own or a child's (registered as originals).</summary>
    public static readonly IReadOnlyList<string> ForwardedForOwnProcess =
        ["getpriority", "sched_getaffinity", "sched_getscheduler", "sched_getparam", "sched_rr_get_interval", "times"];

    /// <summary>Gets the pid <c>os.getpid()</c> reports (the host's: the runtime runs in it).</summary>
    public static int OwnPid => System.Environment.ProcessId;

    public Dictionary<string, BridgeDefinition> IdentityTable() => new(StringComparer.Ordinal)
    {
        ["getpgrp"] = Def("", _ => EmulatedGroup("process group")),
        ["getpgid"] = Def("pid, /", args => EmulatedGroup("process group", Arg.Long(args, 0, "pid"), "os.getpgid")),
        ["getsid"] = Def("pid, /", args => EmulatedGroup("session", Arg.Long(args, 0, "pid"), "os.getsid")),
        ["getpriority"] = Def("which, who, /", GetPriority),
        ["sched_getaffinity"] = Def("pid, /", args => ForOwnProcess(args, "sched_getaffinity")),
        ["sched_getscheduler"] = Def("pid, /", args => ForOwnProcess(args, "sched_getscheduler")),
        ["sched_getparam"] = Def("pid, /", args => ForOwnProcess(args, "sched_getparam")),
        ["sched_rr_get_interval"] = Def("pid, /", args => ForOwnProcess(args, "sched_rr_get_interval")),

        ["times"] = Def("", Times),

        // The host's load average says what else runs on the machine; CPython raises OSError when it is unobtainable.
        ["getloadavg"] = Def("", static _ => throw new UnsupportedOperationException("os.getloadavg is not supported by the managed backend (the host's load is not the runtime's to read)")),
    };

    private nint EmulatedGroup(string what, long pid = 0, string function = "")
    {
        Visible(pid, function);
        PosixLog.EmulatedProcessGroup(_backend.Compatibility, what);
        return Py.NewInt(OwnPid);
    }

    /// <summary>
    /// Maps a pid argument to the one the C function may see: 0 (the runtime itself) for the runtime and for its
    /// children, whose pids are virtual (passing one to the C library would name an unrelated host process) and which
    /// inherit the runtime's group, session, scheduling and priority; any other pid is ESRCH.
    /// </summary>
    private long Visible(long pid, string function)
    {
        if (pid == 0 || pid == OwnPid || _backend.ChildProcesses.Contains(pid))
        {
            return 0;
        }

        PosixLog.HiddenIdentifier(_backend.Compatibility, function, pid, "ESRCH");
        throw new PythonIOException(Errno.ESRCH, "No such process");
    }

    private nint ForOwnProcess(BridgeArgs args, string name)
    {
        var pid = Visible(Arg.Long(args, 0, "pid"), "os." + name);
        return CallOriginal(name, pid);
    }

    /// <summary>
    /// <c>os.getpriority(which, who)</c>: the runtime's own priority for itself and its children, its emulated process
    /// group and its own user; other processes, groups and users are ESRCH.
    /// </summary>
    private nint GetPriority(BridgeArgs args)
    {
        var which = Arg.Int(args, 0, "which");
        var who = Arg.Long(args, 1, "who");
        switch (which)
        {
            case PrioProcess:
                return CallOriginal("getpriority", PrioProcess, Visible(who, "os.getpriority"));
            case PrioProcessGroup when who == 0 || who == OwnPid:
            case PrioUser when who == 0 || who == RuntimeIdentity.UserId:
                return CallOriginal("getpriority", PrioProcess, 0);
            case PrioProcessGroup or PrioUser:
                PosixLog.HiddenIdentifier(_backend.Compatibility, "os.getpriority", who, "ESRCH");
                throw new PythonIOException(Errno.ESRCH, "No such process");
            default:
                throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }
    }

    /// <summary>
    /// <c>os.times()</c>: the runtime's own CPU times, and an elapsed time on the runtime's monotonic clock (the one
    /// <c>time.monotonic()</c> reads) instead of the host's time since boot.
    /// </summary>
    private nint Times(BridgeArgs args)
    {
        var real = CallOriginal("times");
        if (real == 0)
        {
            return 0;
        }

        try
        {
            // times_result is a tuple: user, system, children_user, children_system, elapsed.
            var fields = new nint[5];
            for (var i = 0; i < 4; i++)
            {
                fields[i] = *(nint*)(real + TupleItemsOffset + (i * 8));
                LibPython.Py_IncRef(fields[i]);
            }

            fields[4] = LibPython.PyFloat_FromDouble(_backend.Modules.Time.Monotonic());
            var tuple = Py.Tuple(Py.Tuple(fields));
            var result = LibPython.PyObject_Call(Py.TypeOf(real), tuple, 0);
            LibPython.Py_DecRef(tuple);
            return result;
        }
        finally
        {
            LibPython.Py_DecRef(real);
        }
    }

    private static nint CallOriginal(string name, params ReadOnlySpan<long> arguments)
    {
        var original = ModulePatcher.Original("posix", name);
        if (original == 0)
        {
            throw new UnsupportedOperationException($"os.{name} is not supported by the managed backend");
        }

        var items = new nint[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            items[i] = Py.NewInt(arguments[i]);
        }

        var tuple = Py.Tuple(items);
        var result = LibPython.PyObject_Call(original, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result;
    }
}
