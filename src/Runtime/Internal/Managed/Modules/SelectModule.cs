using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>select</c>: <c>select.select</c>, <c>select.poll</c> and <c>select.epoll</c> (the managed shim's classes) work
/// on the runtime's virtual descriptors (<see cref="EpollFile"/>); <c>devpoll</c> and <c>kqueue</c> are removed (Linux has
/// neither), so that <c>selectors.DefaultSelector</c> is the <c>EpollSelector</c>, as on Linux. A wait follows the runtime's clock (its <see cref="TimeProvider"/>), wakes when a descriptor
/// changes (<see cref="Readiness"/>) and ends when the call is cancelled or times out. Host sockets (HostSockets) are
/// virtual descriptors too; a wait that includes one blocks in the host's <c>poll</c> on their host descriptors.
/// </summary>
internal sealed unsafe partial class SelectModule
{
    private const int PollIn = 0x1;
    private const int PollPri = 0x2;
    private const int PollOut = 0x4;
    private const int PollNval = 0x20;
    private const int PollRdNorm = 0x40;
    private const int PollWrNorm = 0x100;

    /// <summary>The most descriptors one call watches: as many as the table can hold, each list (<c>FD_SETSIZE</c> is 1024 too).</summary>
    private const int MaxItems = FdTable.MaxDescriptors;
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>Initializes a new instance of the <see cref="SelectModule"/> class, over <paramref name="backend"/>'s descriptors.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public SelectModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    public int Patch(nint module)
    {
        _patcher.Replace(module, "select", "select", "rlist, wlist, xlist, timeout=None, /", Select);
        var poll = ManagedShim.Get("poll");
        if (Py.SetAttr(poll, "_wait", _backend.FunctionFor("select.poll._wait", "fds, events, timeout, /", PollWait)) < 0 || Py.SetAttr(module, "poll", ManagedShim.Get("new_poll")) < 0)
        {
            return -1;
        }

        if (PatchEpoll(module) < 0)
        {
            return -1;
        }

        foreach (var name in (ReadOnlySpan<string>)["devpoll", "kqueue", "kevent"])
        {
            if (LibPython.PyObject_HasAttrString(module, (byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(name)) == 1)
            {
                fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
                {
                    LibPython.PyObject_SetAttrString(module, n, 0);
                }
            }
        }

        return 0;
    }

    private nint Select(BridgeArgs args)
    {
        var backend = _backend;
        var lists = new List<(nint Object, int Fd)>[3];
        try
        {
            lists[0] = Descriptors(Arg.Required(args, 0, "rlist"));
            lists[1] = Descriptors(Arg.Required(args, 1, "wlist"));
            lists[2] = Descriptors(Arg.Required(args, 2, "xlist"));
            return Wait(backend, lists, Timeout(Arg.Optional(args, "timeout")));
        }
        finally
        {
            // The items were kept until the result lists took their own references.
            foreach (var list in lists)
            {
                foreach (var (o, _) in list ?? [])
                {
                    LibPython.Py_DecRef(o);
                }
            }
        }
    }

    /// <summary>The timeout in seconds (None: wait without end), checked as CPython checks it.</summary>
    private static double? Timeout(nint timeout)
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

        if (seconds < 0)
        {
            throw new PythonArgumentException("timeout must be non-negative", isValueError: true);
        }

        return seconds < TimeSpan.MaxValue.TotalSeconds / 2
            ? seconds
            : throw new PythonArgumentException("timeout is too large", isValueError: true);
    }

    private static nint Wait(ManagedBackend backend, List<(nint Object, int Fd)>[] lists, double? timeout)
    {
        foreach (var list in lists)
        {
            foreach (var (_, fd) in list)
            {
                backend.Fds.Get(fd); // EBADF for a descriptor the runtime does not have
            }
        }

        List<(nint Object, int Fd)> readable = [], writable = [];
        bool Ready()
        {
            // A descriptor closed meanwhile (by another thread) reports ready, as Linux does: its next use fails.
            readable = lists[0].Where(x => !backend.Fds.TryGet(x.Fd, out var f) || f!.ReadReady).ToList();
            writable = lists[1].Where(x => !backend.Fds.TryGet(x.Fd, out var f) || f!.WriteReady).ToList();
            return readable.Count > 0 || writable.Count > 0;
        }

        if (!Ready() && timeout != 0)
        {
            var host = HostDescriptorsOf(backend, lists[0].Select(x => (x.Fd, HostDescriptors.PollIn)).Concat(lists[1].Select(x => (x.Fd, HostDescriptors.PollOut))));
            WaitWithoutGil(backend, Ready, host, timeout);
        }

        return Py.Tuple(ToList(readable), ToList(writable), ToList([]));
    }

    /// <summary>The host descriptors behind the virtual ones among <paramref name="watched"/> (host sockets), with the events awaited.</summary>
    private static List<(int Fd, short Events)> HostDescriptorsOf(ManagedBackend backend, IEnumerable<(int Fd, short Events)> watched)
    {
        List<(int Fd, short Events)> host = [];
        foreach (var (fd, events) in watched)
        {
            if (backend.Fds.TryGet(fd, out var file) && file is HostSocket socket)
            {
                host.Add((socket.HostFd, events));
            }
        }

        return host;
    }

    /// <summary>
    /// Waits without the GIL until <paramref name="ready"/> holds or the timeout (seconds, null: none) passes on the
    /// runtime's clock; cancellation raises, a signal runs its handler. <paramref name="host"/>: host sockets among the descriptors, waited on with <c>poll</c>.
    /// </summary>
    private static void WaitWithoutGil(ManagedBackend backend, Func<bool> ready, List<(int Fd, short Events)> host, double? timeout)
    {
        // A signal interrupting the wait runs its handler; the wait goes on with what is left of the timeout (PEP 475).
        SignalWait.WithoutGil(backend.Clock, timeout is { } t ? TimeSpan.FromSeconds(t) : null, (left, token) => Readiness.WaitUntil(ready, host, backend.Clock, left, token));
    }

    /// <summary>
    /// <c>poll.poll</c>: <paramref name="args"/> holds the registered descriptors, their event masks and the timeout in seconds (None:
    /// no end). A descriptor the runtime does not have reports <c>POLLNVAL</c>, as Linux's poll does; every other one what its
    /// kind reports on Linux (<see cref="OpenFile.PollEvents"/>: <c>POLLHUP</c>, <c>POLLERR</c> and <c>POLLRDHUP</c> included).
    /// </summary>
    private nint PollWait(BridgeArgs args)
    {
        var fds = Arg.Items(Arg.Required(args, 0, "fds"), "fds", Bounded((o, n) => Arg.ToInt(Arg.Long(o, n), n)));
        var masks = Arg.Items(Arg.Required(args, 1, "events"), "events", Bounded((o, n) => (int)Arg.Long(o, n)));
        var registered = fds.Zip(masks, (fd, events) => (Fd: fd, Events: events)).ToList();

        var t = Arg.Optional(args, "timeout");
        double? timeout = t == 0 ? null : Arg.Seconds(t);
        var backend = _backend;
        List<(int Fd, int Events)> ready = [];
        bool Ready()
        {
            ready = [];
            foreach (var (fd, events) in registered)
            {
                if (!backend.Fds.TryGet(fd, out var file))
                {
                    ready.Add((fd, PollNval));
                    continue;
                }

                // What Linux's poll reports: the events asked for, and errors and hang-ups always.
                var revents = file!.PollEvents & 0xFFFF & (events | PollEvents.Always);
                if (revents != 0)
                {
                    ready.Add((fd, revents));
                }
            }

            return ready.Count > 0;
        }

        if (!Ready() && timeout is not <= 0)
        {
            var host = HostDescriptorsOf(backend, registered.Select(r => (r.Fd, (short)(r.Events & (PollIn | PollPri | PollOut | PollRdNorm | PollWrNorm | PollEvents.RdHup)))));
            WaitWithoutGil(backend, Ready, host, timeout);
        }

        var list = LibPython.PyList_New(0);
        foreach (var (fd, revents) in ready)
        {
            var pair = Py.Tuple(Py.NewInt(fd), Py.NewInt(revents));
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

    /// <summary>A reader of list items that refuses more than <see cref="MaxItems"/> (an endless iterator ends there, not in the host).</summary>
    private static Func<nint, string, int> Bounded(Func<nint, string, int> read)
    {
        var count = 0;
        return (o, n) => ++count > MaxItems ? throw new PythonArgumentException("too many file descriptors in poll()", isValueError: true) : read(o, n);
    }

    /// <summary>The descriptors of one list: each item is an int or has <c>fileno()</c>; every item is kept (a new reference).</summary>
    private static List<(nint Object, int Fd)> Descriptors(nint sequence)
    {
        var result = new List<(nint, int)>();
        var iterator = LibPython.PyObject_GetIter(sequence);
        if (iterator == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("arguments 1-3 must be sequences");
        }

        try
        {
            nint item;
            while ((item = LibPython.PyIter_Next(iterator)) != 0)
            {
                if (result.Count >= MaxItems)
                {
                    LibPython.Py_DecRef(item);
                    throw new PythonArgumentException("too many file descriptors in select()", isValueError: true);
                }

                result.Add((item, 0)); // owned by the list from here, released by the caller
                result[^1] = (item, DescriptorOf(item));
            }

            if (LibPython.PyErr_Occurred() != 0)
            {
                throw new PythonErrorException();
            }

            return result;
        }
        catch
        {
            foreach (var (o, _) in result)
            {
                LibPython.Py_DecRef(o);
            }

            throw;
        }
        finally
        {
            LibPython.Py_DecRef(iterator);
        }
    }

    private static int DescriptorOf(nint item)
    {
        if (Py.IsInstanceOfFlag(item, Py.TpFlagsLongSubclass))
        {
            return Arg.ToInt(Arg.Long(item, "fd"), "fd");
        }

        var fileno = Py.GetAttr(item, "fileno");
        if (fileno == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("argument must be an int, or have a fileno() method.");
        }

        var empty = LibPython.PyTuple_New(0);
        var r = LibPython.PyObject_Call(fileno, empty, 0);
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(fileno);
        if (r == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            return Py.IsInstanceOfFlag(r, Py.TpFlagsLongSubclass)
                ? Arg.ToInt(Arg.Long(r, "fd"), "fd")
                : throw new PythonArgumentException("fileno() returned a non-integer");
        }
        finally
        {
            LibPython.Py_DecRef(r);
        }
    }

    private static nint ToList(List<(nint Object, int Fd)> items)
    {
        var list = LibPython.PyList_New(0);
        foreach (var (o, _) in items)
        {
            LibPython.PyList_Append(list, o);
        }

        return list;
    }
}
