using System.Runtime.InteropServices;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The few libc calls the runtime makes on the host descriptors of the sockets that <c>Permissions:HostSockets</c>
/// let Python create (<see cref="HostSocket"/>): readiness (<c>poll</c>), and an <c>eventfd</c> that wakes a wait
/// over host descriptors when one of the runtime's virtual descriptors changes (<see cref="Readiness"/>). Python
/// never sees the numbers these calls use.
/// </summary>
internal static unsafe class HostDescriptors
{
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int EIntr = 4;

    private static readonly delegate* unmanaged<PollFd*, ulong, int, int> PollCall;
    private static readonly delegate* unmanaged<uint, int, int> EventFdCall;
    private static readonly delegate* unmanaged<int, int> CloseCall;
    private static readonly delegate* unmanaged<int, byte*, nuint, nint> ReadCall;
    private static readonly delegate* unmanaged<int, byte*, nuint, nint> WriteCall;

    static HostDescriptors()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        PollCall = (delegate* unmanaged<PollFd*, ulong, int, int>)NativeLibrary.GetExport(libc, "poll");
        EventFdCall = (delegate* unmanaged<uint, int, int>)NativeLibrary.GetExport(libc, "eventfd");
        CloseCall = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(libc, "close");
        ReadCall = (delegate* unmanaged<int, byte*, nuint, nint>)NativeLibrary.GetExport(libc, "read");
        WriteCall = (delegate* unmanaged<int, byte*, nuint, nint>)NativeLibrary.GetExport(libc, "write");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>The events of <paramref name="events"/> (and errors, hang-ups) that the host descriptor reports now, without waiting.</summary>
    public static short Events(int fd, short events)
    {
        var p = new PollFd { Fd = fd, Events = events };
        while (true)
        {
            var r = PollCall(&p, 1, 0);
            if (r >= 0)
            {
                return r == 0 ? (short)0 : p.Revents;
            }

            if (Marshal.GetLastSystemError() != EIntr)
            {
                return PollErr;
            }
        }
    }

    /// <summary><c>read</c>: the bytes read, or minus the errno.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = ReadCall(fd, b, (nuint)buffer.Length);
                var errno = n < 0 ? Marshal.GetLastSystemError() : 0;
                if (n >= 0 || errno != EIntr)
                {
                    return n >= 0 ? (int)n : -errno;
                }
            }
        }
    }

    /// <summary><c>write</c>: the bytes written, or minus the errno.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* b = data)
        {
            while (true)
            {
                var n = WriteCall(fd, b, (nuint)data.Length);
                var errno = n < 0 ? Marshal.GetLastSystemError() : 0;
                if (n >= 0 || errno != EIntr)
                {
                    return n >= 0 ? (int)n : -errno;
                }
            }
        }
    }

    /// <summary>Blocks until one of <paramref name="fds"/> reports one of its events (or an error), or <paramref name="waker"/> is signalled.</summary>
    public static void Block(Waker waker, IReadOnlyList<(int Fd, short Events)> fds)
    {
        var items = new PollFd[fds.Count + 1];
        items[0] = new PollFd { Fd = waker.Fd, Events = PollIn };
        for (var i = 0; i < fds.Count; i++)
        {
            items[i + 1] = new PollFd { Fd = fds[i].Fd, Events = fds[i].Events };
        }

        fixed (PollFd* p = items)
        {
            // EINTR (a signal for the host) only ends this pass: the caller checks again.
            PollCall(p, (ulong)items.Length, -1);
        }

        waker.Drain();
    }

    /// <summary>An <c>eventfd</c> that one wait over host descriptors blocks on; signalled when something it waits for may have changed.</summary>
    internal sealed class Waker : IDisposable
    {
        private readonly Lock _gate = new();
        private bool _closed;

        public Waker()
        {
            Fd = EventFdCall(0, EfdCloexec | EfdNonblock);
            if (Fd < 0)
            {
                throw new Providers.PythonIOException(Marshal.GetLastSystemError(), "eventfd failed");
            }
        }

        public int Fd { get; }

        /// <summary>Wakes the wait; does nothing once disposed (the number may belong to someone else by then).</summary>
        public void Signal()
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    ulong one = 1;
                    WriteCall(Fd, (byte*)&one, sizeof(ulong));
                }
            }
        }

        public void Drain()
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    ulong value;
                    ReadCall(Fd, (byte*)&value, sizeof(ulong));
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    _closed = true;
                    CloseCall(Fd);
                }
            }
        }
    }
}
