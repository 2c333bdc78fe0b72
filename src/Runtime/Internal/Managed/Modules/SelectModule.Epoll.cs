using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// <c>select.epoll</c>: the managed shim's class, whose bridge functions (<c>_create</c>, <c>_control</c>, <c>_wait</c>,
/// <c>_close</c>, <c>_check</c>) work on <see cref="EpollFile"/> descriptors of the runtime. Each function looks its
/// descriptor up and refuses one that is not an epoll of this runtime (<c>EINVAL</c>, as Linux's <c>epoll_ctl</c> and
/// <c>epoll_wait</c> do), so calling them directly gets no more than the class does.
/// </summary>
internal sealed unsafe partial class SelectModule
{
    /// <summary>CPython's <c>FD_SETSIZE - 1</c>: the events one <c>poll()</c> returns when <c>maxevents</c> is -1.</summary>
    private const int DefaultMaxEvents = 1023;

    private int PatchEpoll(nint module)
    {
        var epoll = ManagedShim.Get("epoll");
        return Py.SetAttr(epoll, "_create", _backend.FunctionFor("select.epoll._create", "", Create)) < 0
            || Py.SetAttr(epoll, "_control", _backend.FunctionFor("select.epoll._control", "epfd, op, fd, events, /", Control)) < 0
            || Py.SetAttr(epoll, "_wait", _backend.FunctionFor("select.epoll._wait", "epfd, timeout, maxevents, /", EpollWait)) < 0
            || Py.SetAttr(epoll, "_close", _backend.FunctionFor("select.epoll._close", "epfd, /", Close)) < 0
            || Py.SetAttr(epoll, "_check", _backend.FunctionFor("select.epoll._check", "epfd, /", Check)) < 0
            || Py.SetAttr(module, "epoll", epoll) < 0
            ? -1
            : 0;
    }

    /// <summary><c>epoll_create1(EPOLL_CLOEXEC)</c>: a new epoll descriptor, not inheritable.</summary>
    private nint Create(BridgeArgs args)
    {
        var fds = _backend.Fds;
        return Py.NewInt(fds.Add(new EpollFile(fds)));
    }

    /// <summary><c>epoll_ctl(epfd, op, fd, events)</c>.</summary>
    private nint Control(BridgeArgs args)
    {
        var epoll = EpollOf(Arg.Int(args, 0, "epfd"));
        var op = Arg.Int(args, 1, "op");
        var fd = Arg.Int(args, 2, "fd");
        if (fd < 0)
        {
            throw new PythonArgumentException($"file descriptor cannot be a negative integer ({fd})", isValueError: true);
        }

        // CPython's converter takes the event mask bitwise, as an unsigned int.
        var events = (uint)(Arg.Long(args, 3, "events") & 0xFFFFFFFF);
        try
        {
            epoll.Control(op, fd, events);
        }
        catch (NestingRefusedException refused) when (refused.BeyondLinux)
        {
            CompatibilityLog.EpollNestingRefused(_backend.Compatibility, fd);
            throw;
        }

        return Py.NewNone();
    }

    /// <summary>
    /// <c>epoll.poll(timeout, maxevents)</c>: a list of <c>(fd, events)</c>. The timeout is CPython's: None or negative waits
    /// without end, otherwise seconds rounded up to milliseconds; the wait follows the runtime's clock, without the GIL, and
    /// ends when the call is cancelled.
    /// </summary>
    private nint EpollWait(BridgeArgs args)
    {
        var epoll = EpollOf(Arg.Int(args, 0, "epfd"));
        var timeout = EpollTimeout(Arg.Optional(args, "timeout"));
        var maxEvents = Arg.Int(args, 2, "maxevents", -1);
        if (maxEvents == -1)
        {
            maxEvents = DefaultMaxEvents;
        }
        else if (maxEvents < 1)
        {
            throw new PythonArgumentException($"maxevents must be greater than 0, got {maxEvents}", isValueError: true);
        }

        List<(int Fd, uint Events)> ready = [];
        bool Ready()
        {
            ready = epoll.Collect(maxEvents);
            return ready.Count > 0;
        }

        if (!Ready() && timeout is not <= 0)
        {
            // The host descriptors waited on are those registered when the wait starts: when another thread changes the
            // interest list, the wait starts again with the new ones, for what remains of the timeout.
            var clock = _backend.Clock;
            var start = clock.GetTimestamp();
            while (true)
            {
                var changes = epoll.Changes;
                var changed = false;
                bool ReadyOrChanged()
                {
                    changed = epoll.Changes != changes;
                    return Ready() || changed;
                }

                double? remaining = timeout is { } t ? Math.Max(0, t - clock.GetElapsedTime(start).TotalSeconds) : null;
                WaitWithoutGil(_backend, ReadyOrChanged, epoll.HostDescriptorsWatched(), remaining);
                if (!changed || ready.Count > 0 || remaining == 0)
                {
                    break;
                }
            }
        }

        var list = LibPython.PyList_New(0);
        foreach (var (fd, events) in ready)
        {
            var pair = Py.Tuple(Py.NewInt(fd), LibPython.PyLong_FromUnsignedLongLong(events));
            if (pair == 0 || LibPython.PyList_Append(list, pair) < 0)
            {
                LibPython.Py_DecRef(pair);
                LibPython.Py_DecRef(list);
                return 0;
            }

            LibPython.Py_DecRef(pair);
        }

        return list;
    }

    /// <summary>Closes an epoll descriptor; a number that names another kind of file now is left alone (it was closed and reused).</summary>
    private nint Close(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "epfd");
        if (_backend.Fds.Get(fd) is EpollFile)
        {
            _backend.Fds.Close(fd);
        }

        return Py.NewNone();
    }

    /// <summary><c>epoll.fromfd</c>: only a descriptor that is an epoll of this runtime is taken (<c>EINVAL</c> otherwise).</summary>
    private nint Check(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "epfd");
        if (!_backend.Fds.TryGet(fd, out var file) || file is not EpollFile)
        {
            CompatibilityLog.EpollFromFdRefused(_backend.Compatibility, fd);
        }

        EpollOf(fd);
        return Py.NewNone();
    }

    private EpollFile EpollOf(int fd)
        => _backend.Fds.Get(fd) as EpollFile ?? throw new PythonIOException(Errno.EINVAL, "Invalid argument");

    /// <summary>The wait in seconds (null: no end), checked as CPython's <c>epoll.poll</c> checks it.</summary>
    private static double? EpollTimeout(nint timeout)
    {
        if (timeout == 0)
        {
            return null;
        }

        var seconds = Arg.Seconds(timeout);
        if (double.IsNaN(seconds))
        {
            throw new PythonArgumentException("Invalid value NaN (not a number)", isValueError: true);
        }

        var milliseconds = Math.Ceiling(seconds * 1000);
        if (milliseconds is < int.MinValue or > int.MaxValue)
        {
            Py.SetError(LibPython.ExcOverflowError, "timeout is too large");
            throw new PythonErrorException();
        }

        return milliseconds < 0 ? null : milliseconds / 1000;
    }
}
