using System.Buffers.Binary;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// An <c>eventfd</c> of the runtime (<c>os.eventfd</c>): a 64-bit counter behind a virtual descriptor, no host
/// descriptor. A read of 8 bytes takes the counter (or 1 of it with <c>EFD_SEMAPHORE</c>) and waits while it is zero; a
/// write of 8 bytes adds to it and waits while the sum would pass <c>0xfffffffffffffffe</c>. <c>select</c> and
/// <c>poll</c> see it readable while the counter is not zero, as on Linux. Every change is announced to <see cref="Readiness"/>.
/// </summary>
internal sealed class EventFdFile(ulong initial, bool semaphore) : OpenFile
{
    /// <summary>The largest value the counter holds (Linux: <c>0xfffffffffffffffe</c>).</summary>
    public const ulong MaxCounter = ulong.MaxValue - 1;

    private readonly Lock _gate = new();
    private ulong _counter = initial;

    public override bool Readable => true;

    public override bool Writable => true;

    public override bool ReadReady
    {
        get
        {
            lock (_gate)
            {
                return _counter != 0;
            }
        }
    }

    public override bool WriteReady
    {
        get
        {
            lock (_gate)
            {
                return _counter < MaxCounter;
            }
        }
    }

    /// <summary>Reads the counter (waiting without end while it is zero, unless the descriptor is non-blocking: <c>EAGAIN</c>).</summary>
    public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.Length < sizeof(ulong))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        while (true)
        {
            lock (_gate)
            {
                if (_counter != 0)
                {
                    var value = semaphore ? 1 : _counter;
                    _counter -= value;
                    BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
                    Readiness.Changed();
                    return sizeof(ulong);
                }
            }

            if (!Blocking)
            {
                throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
            }

            Readiness.WaitUntil(() => ReadReady, TimeProvider.System, null, cancellationToken);
        }
    }

    /// <summary>Adds an 8-byte value to the counter (waiting while it would overflow, unless non-blocking: <c>EAGAIN</c>).</summary>
    public override int Write(ReadOnlySpan<byte> data) => Add(data, CallContext.Current?.CancellationToken ?? CancellationToken.None);

    private int Add(ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        if (data.Length < sizeof(ulong))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (value == ulong.MaxValue)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        while (true)
        {
            lock (_gate)
            {
                if (MaxCounter - _counter >= value)
                {
                    _counter += value;
                    if (value != 0)
                    {
                        Readiness.Changed();
                    }

                    return sizeof(ulong);
                }
            }

            if (!Blocking)
            {
                throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
            }

            Readiness.WaitUntil(() => WriteReady, TimeProvider.System, null, cancellationToken);
        }
    }

    /// <summary>As Linux's anonymous inode: mode 0600, no file type, size 0.</summary>
    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, 0x180, now, now, now);
    }

    protected override void Dispose() => Readiness.Changed();
}
