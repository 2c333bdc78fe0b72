using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// An <c>epoll</c> instance (<c>select.epoll</c>) over the runtime's virtual descriptors: its interest list, and the
/// events a wait collects, level- or edge-triggered and one-shot as Linux documents them. It is a virtual descriptor
/// itself (closed, duplicated and selected like any other), and reports readable while one of its entries would.
/// </summary>
/// <remarks>
/// An entry is keyed by descriptor number and remembers the open file it was registered with: once that number is
/// closed (or names another file), the entry is gone, as Linux drops it when the file it watched is closed. One
/// epoll may watch another that watches none (one level of nesting); Linux allows four, which no caller here needs,
/// and the bound keeps a wait's scan linear in the descriptors. Every member may run without the GIL.
/// </remarks>
internal sealed class EpollFile(FdTable fds) : OpenFile
{
    public const int CtlAdd = 1;
    public const int CtlDel = 2;
    public const int CtlMod = 3;

    /// <summary><c>EPOLLEXCLUSIVE</c>: wake one of several waiters (each wait here is woken anyway; only its rules are checked).</summary>
    public const uint Exclusive = 1u << 28;

    /// <summary><c>EPOLLONESHOT</c>: the entry is disarmed once it reported, until <c>modify</c>.</summary>
    public const uint OneShot = 1u << 30;

    /// <summary><c>EPOLLET</c>: report a change, not a state.</summary>
    public const uint EdgeTriggered = 1u << 31;

    /// <summary>The events an <c>EPOLLEXCLUSIVE</c> entry may ask for (Linux's <c>EPOLLEXCLUSIVE_OK_BITS</c>).</summary>
    private const uint ExclusiveAllowed = State.PollEvents.In | State.PollEvents.Out | State.PollEvents.Pri | State.PollEvents.RdNorm | State.PollEvents.RdBand | State.PollEvents.WrNorm | State.PollEvents.WrBand
        | State.PollEvents.Err | State.PollEvents.Hup | (1u << 29) | EdgeTriggered | Exclusive;

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private int _next; // where the next scan starts: entries reported last go to the back of the line, as Linux's ready list
    private int _containers; // epolls that watch this one
    private int _changes;
    private bool _released;

    public override bool Readable => true;

    public override bool Writable => false;

    public override bool ReadReady => (PollEvents & State.PollEvents.In) != 0;

    public override bool WriteReady => false;

    public override int PollEvents
    {
        get
        {
            lock (_gate)
            {
                foreach (var entry in _entries)
                {
                    if (Live(entry) && Pending(entry, out _))
                    {
                        return State.PollEvents.Readable;
                    }
                }

                return 0;
            }
        }
    }

    /// <summary>Gets a number that changes with every change of the interest list (a wait then looks at its host descriptors again).</summary>
    public int Changes => Volatile.Read(ref _changes);

    /// <summary>Gets how many entries the interest list holds (closed descriptors included until the next call notices).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// <c>epoll_ctl</c>: adds, modifies or deletes the entry of <paramref name="fd"/> with Linux's errors (<c>EBADF</c>,
    /// <c>EPERM</c> for a regular file, <c>EINVAL</c> for the epoll itself, <c>EEXIST</c>, <c>ENOENT</c>, <c>ELOOP</c>).
    /// </summary>
    /// <exception cref="NestingRefusedException">A loop, or a nesting deeper than one level.</exception>
    public void Control(int op, int fd, uint events)
    {
        if (op is not (CtlAdd or CtlDel or CtlMod))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var file = fds.Get(fd);
        if (!file.Pollable)
        {
            throw new PythonIOException(Errno.EPERM, "Operation not permitted");
        }

        if (ReferenceEquals(file, this))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (op != CtlDel && (events & Exclusive) != 0 && (op == CtlMod || file is EpollFile || (events & ~ExclusiveAllowed) != 0))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        // The watched epoll is asked before this one's lock is taken: a wait holds an outer epoll's lock while it takes
        // the inner one's, so a lock is never taken in the other order. Changes come with the GIL, one at a time.
        if (op == CtlAdd && file is EpollFile nested)
        {
            // A loop is refused as Linux refuses it; a second level, which Linux would accept, too.
            var loop = nested.Watches(this);
            if (loop || nested.WatchesEpoll || Volatile.Read(ref _containers) > 0)
            {
                throw new NestingRefusedException(beyondLinux: !loop);
            }
        }

        lock (_gate)
        {
            DropClosed();
            var index = _entries.FindIndex(e => e.Fd == fd);
            switch (op)
            {
                case CtlAdd when index >= 0:
                    throw new PythonIOException(Errno.EEXIST, "File exists");
                case CtlAdd:
                    if (file is EpollFile inner)
                    {
                        Interlocked.Increment(ref inner._containers);
                    }

                    _entries.Add(new Entry(fd, file, events));
                    break;
                case CtlMod when index < 0:
                case CtlDel when index < 0:
                    throw new PythonIOException(Errno.ENOENT, "No such file or directory");
                case CtlMod:
                    if ((_entries[index].Events & Exclusive) != 0)
                    {
                        throw new PythonIOException(Errno.EINVAL, "Invalid argument");
                    }

                    _entries[index] = new Entry(fd, file, events);
                    break;
                default:
                    Remove(index);
                    break;
            }
        }

        // A waiter on another thread sees an entry that is ready already, as Linux wakes it.
        Interlocked.Increment(ref _changes);
        Readiness.Changed();
    }

    /// <summary>
    /// The events to report now, at most <paramref name="maxEvents"/>: consumes an edge-triggered entry's change and
    /// disarms a one-shot entry that is reported; level-triggered entries reported go to the back of the line.
    /// </summary>
    public List<(int Fd, uint Events)> Collect(int maxEvents)
    {
        List<(int Fd, uint Events)> ready = [];
        lock (_gate)
        {
            DropClosed();
            var count = _entries.Count;
            var start = count == 0 ? 0 : _next % count;
            var last = -1;
            for (var i = 0; i < count && ready.Count < maxEvents; i++)
            {
                var index = (start + i) % count;
                var entry = _entries[index];
                if (!Pending(entry, out var reported))
                {
                    continue;
                }

                ready.Add((entry.Fd, reported));
                entry.LastMask = reported;
                entry.LastWakeups = entry.File.Wakeups;
                if ((entry.Events & OneShot) != 0)
                {
                    entry.Disarmed = true;
                }

                last = index;
            }

            if (last >= 0)
            {
                _next = last + 1;
            }
        }

        return ready;
    }

    /// <summary>The host descriptors among the entries (host sockets, those of a watched epoll too), with the events awaited.</summary>
    public List<(int Fd, short Events)> HostDescriptorsWatched()
    {
        List<(int Fd, short Events)> host = [];
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (entry.File is HostSocket socket && Live(entry))
                {
                    host.Add((socket.HostFd, (short)(entry.Events & (State.PollEvents.In | State.PollEvents.Pri | State.PollEvents.Out | State.PollEvents.RdHup | State.PollEvents.RdNorm | State.PollEvents.WrNorm))));
                }
                else if (entry.File is EpollFile inner && Live(entry))
                {
                    host.AddRange(inner.HostDescriptorsWatched());
                }
            }
        }

        return host;
    }

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken) => throw new PythonIOException(Errno.EINVAL, "Invalid argument");

    public override int Write(ReadOnlySpan<byte> data) => throw new PythonIOException(Errno.EINVAL, "Invalid argument");

    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, 0x180, now, now, now);
    }

    protected override void Dispose()
    {
        lock (_gate)
        {
            _released = true;
            for (var i = _entries.Count - 1; i >= 0; i--)
            {
                Remove(i);
            }
        }

        Readiness.Changed();
    }

    private bool WatchesEpoll
    {
        get
        {
            lock (_gate)
            {
                return _entries.Exists(e => e.File is EpollFile);
            }
        }
    }

    private bool Watches(EpollFile other)
    {
        lock (_gate)
        {
            return _entries.Exists(e => ReferenceEquals(e.File, other));
        }
    }

    /// <summary>Whether <paramref name="entry"/> would report now, and what: the events asked for, and errors and hang-ups always.</summary>
    private static bool Pending(Entry entry, out uint reported)
    {
        reported = 0;
        if (entry.Disarmed)
        {
            return false;
        }

        var current = (uint)entry.File.PollEvents & 0xFFFF;
        reported = current & (entry.Events | State.PollEvents.Always);

        // An event seen gone is an edge again when it comes back.
        entry.LastMask &= reported;
        if (reported == 0)
        {
            return false;
        }

        if ((entry.Events & EdgeTriggered) == 0)
        {
            return true;
        }

        // An edge: an event that was not there when last reported, or a wake-up for a reported event since then (data
        // arrived for POLLIN, room appeared for POLLOUT), as Linux's wake-ups carry the events they are for.
        var (arrived, freed) = entry.File.Wakeups;
        return (reported & ~entry.LastMask) != 0
            || ((reported & State.PollEvents.Readable) != 0 && arrived != entry.LastWakeups.In)
            || ((reported & State.PollEvents.Writable) != 0 && freed != entry.LastWakeups.Out);
    }

    /// <summary>Whether the entry's descriptor still names the file it was registered with.</summary>
    private bool Live(Entry entry) => !_released && fds.TryGet(entry.Fd, out var current) && ReferenceEquals(current, entry.File);

    private void DropClosed()
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (!Live(_entries[i]))
            {
                Remove(i);
            }
        }
    }

    private void Remove(int index)
    {
        if (_entries[index].File is EpollFile inner)
        {
            Interlocked.Decrement(ref inner._containers);
        }

        _entries.RemoveAt(index);
    }

    private sealed class Entry(int fd, OpenFile file, uint events)
    {
        public int Fd { get; } = fd;

        public OpenFile File { get; } = file;

        public uint Events { get; } = events;

        public uint LastMask { get; set; }

        public (long In, long Out) LastWakeups { get; set; }

        public bool Disarmed { get; set; }
    }
}

/// <summary><c>ELOOP</c> from <see cref="EpollFile.Control"/>: a loop, or (<see cref="BeyondLinux"/>) a nesting deeper than the runtime's one level.</summary>
internal sealed class NestingRefusedException(bool beyondLinux) : PythonIOException(Errno.ELOOP, "Too many levels of symbolic links")
{
    /// <summary>Gets a value indicating whether Linux would have accepted the nesting.</summary>
    public bool BeyondLinux => beyondLinux;
}
