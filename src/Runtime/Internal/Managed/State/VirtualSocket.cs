using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// One end of a runtime-internal socket pair (<c>socket.socketpair()</c> in the Managed backend): a byte stream
/// in each direction over two <see cref="VirtualPipe"/> buffers. It names no host socket; native code cannot use
/// its descriptor number, and only the runtime's own functions read or write it.
/// </summary>
internal sealed class VirtualSocket : OpenFile
{
    /// <summary><c>AF_UNIX</c>, the only family of a socket pair on Linux.</summary>
    public const int AfUnix = 1;

    /// <summary><c>SOCK_STREAM</c>.</summary>
    public const int SockStream = 1;

    private readonly VirtualPipe _incoming;
    private readonly VirtualPipe _outgoing;
    private bool _readShut;
    private bool _writeShut;

    private VirtualSocket(VirtualPipe incoming, VirtualPipe outgoing, int family, int type, int protocol)
    {
        _incoming = incoming;
        _outgoing = outgoing;
        Family = family;
        Type = type;
        Protocol = protocol;
    }

    public int Family { get; }

    public int Type { get; }

    public int Protocol { get; }

    /// <summary>Gets or sets the timeout of the socket object (<c>settimeout</c>): null blocks, zero never waits.</summary>
    public TimeSpan? Timeout { get; set; }

    public override bool Readable => true;

    public override bool Writable => true;

    public override bool ReadReady => _readShut || _incoming.CanRead;

    public override bool WriteReady => _writeShut || _outgoing.CanWrite;

    /// <summary>Gets the bytes waiting to be received (<c>FIONREAD</c>).</summary>
    public int Pending => _readShut ? 0 : _incoming.Buffered;

    /// <summary>
    /// As Linux's stream sockets of <c>AF_UNIX</c>: <c>POLLIN</c> with data, <c>POLLIN | POLLRDHUP</c> once receiving stopped (the peer
    /// shut down its sending side or closed, or <c>shutdown(SHUT_RD)</c> here), <c>POLLHUP</c> once both directions stopped
    /// (the peer closed, or <c>shutdown(SHUT_RDWR)</c> here), <c>POLLOUT</c> while the peer's buffer has room.
    /// </summary>
    public override int PollEvents
    {
        get
        {
            var received = _incoming.ReaderEvents;
            var receiveShut = _readShut || (received & State.PollEvents.Hup) != 0;
            var sendShut = _writeShut || _outgoing.ReaderClosed;
            var events = received & State.PollEvents.Readable;
            if (receiveShut)
            {
                events |= State.PollEvents.Readable | State.PollEvents.RdHup;
            }

            if (receiveShut && sendShut)
            {
                events |= State.PollEvents.Hup;
            }

            if (_outgoing.CanWrite)
            {
                events |= State.PollEvents.Writable | State.PollEvents.WrBand;
            }

            return events;
        }
    }

    public override (long In, long Out) Wakeups => (_incoming.Changes.Added + (_readShut ? 1 : 0), _outgoing.Changes.Taken);

    /// <summary>Makes the two connected ends.</summary>
    public static (VirtualSocket A, VirtualSocket B) Pair(int family, int type, int protocol)
    {
        var ab = new VirtualPipe();
        var ba = new VirtualPipe();
        return (new VirtualSocket(ba, ab, family, type, protocol), new VirtualSocket(ab, ba, family, type, protocol));
    }

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken) => Receive(buffer, Blocking, cancellationToken);

    public override int Write(ReadOnlySpan<byte> data) => Send(data, Blocking, CallContext.Current?.WaitToken ?? CancellationToken.None);

    /// <summary>Receives what is buffered; 0 at end of stream or after <c>shutdown(SHUT_RD)</c>.</summary>
    public int Receive(Span<byte> buffer, bool blocking, CancellationToken token) => _readShut ? 0 : _incoming.Receive(buffer, blocking, token);

    /// <summary>Sends into the peer's buffer; <c>EPIPE</c> once either side stopped the stream.</summary>
    public int Send(ReadOnlySpan<byte> data, bool blocking, CancellationToken token) =>
        _writeShut ? throw new PythonIOException(Errno.EPIPE, "Broken pipe") : _outgoing.Send(data, blocking, token);

    /// <summary><c>shutdown</c>: 0 stops receiving, 1 stops sending (the peer reads end of stream), 2 both.</summary>
    public void Shutdown(int how)
    {
        if (how is < 0 or > 2)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (how is 0 or 2)
        {
            _readShut = true;
            Readiness.Changed();
        }

        if (how is 1 or 2 && !_writeShut)
        {
            _writeShut = true;
            _outgoing.CloseWriter();
        }
    }

    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, Modules.StatResult.SIfSock | 0x1ff, now, now, now);
    }

    protected override void Dispose()
    {
        if (!_writeShut)
        {
            _outgoing.CloseWriter();
        }

        _incoming.CloseReader();
    }
}
