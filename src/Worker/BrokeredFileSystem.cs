using System.Buffers;
using MessagePack;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Worker;

/// <summary>
/// The worker's file system when the host brokers it: every operation is a request to the host, which serves it
/// with the <see cref="IPythonFileSystem"/> of its DI after checking the runtime's permissions again. Errors come
/// back as errno values (<see cref="PythonIOException"/>), which the Managed backend maps as it maps a local provider's.
/// </summary>
/// <param name="link">The channel.</param>
internal sealed class BrokeredFileSystem(HostLink link) : IPythonFileSystem
{
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        var result = link.Request(BrokerOperation.GetStatus, BrokerArgs.Array(2).Add(path).Add(followSymbolicLinks).ToArray());
        if (result is null)
        {
            return null;
        }

        var reader = new MessagePackReader(result);
        if (reader.ReadArrayHeader() != 10)
        {
            throw new PythonIOException(Errno.EIO, "The host answered with an invalid status.");
        }

        var kind = (PythonFileKind)reader.ReadInt32();
        var size = reader.ReadInt64();
        var mode = reader.ReadInt32();
        var access = Time(reader.ReadInt64());
        var modification = Time(reader.ReadInt64());
        var change = Time(reader.ReadInt64());
        return new PythonFileStatus(kind, size, mode, access, modification, change)
        {
            LinkCount = reader.ReadInt32(),
            Inode = reader.ReadInt64(),
            UserId = reader.ReadInt32(),
            GroupId = reader.ReadInt32(),
        };
    }

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        var reader = Reader(link.Request(BrokerOperation.Open, BrokerArgs.Array(3).Add(path).Add((long)flags).Add((long)mode).ToArray()), 5);
        return new BrokeredStream(link, reader.ReadInt64(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadInt64());
    }

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        var result = link.Request(BrokerOperation.ReadDirectory, BrokerArgs.Array(1).Add(path).ToArray())
            ?? throw new PythonIOException(Errno.EIO, "The host answered with nothing.");
        var reader = new MessagePackReader(result);
        var count = reader.ReadArrayHeader();
        var entries = new PythonDirectoryEntry[count];
        for (var i = 0; i < count; i++)
        {
            reader.ReadArrayHeader();
            entries[i] = new PythonDirectoryEntry(reader.ReadString() ?? string.Empty, (PythonFileKind)reader.ReadInt32());
        }

        return entries;
    }

    public void CreateDirectory(string path, int mode = 0x1FF)
        => link.Request(BrokerOperation.CreateDirectory, BrokerArgs.Array(2).Add(path).Add((long)mode).ToArray());

    public void DeleteDirectory(string path)
        => link.Request(BrokerOperation.DeleteDirectory, BrokerArgs.Array(1).Add(path).ToArray());

    public void DeleteFile(string path)
        => link.Request(BrokerOperation.DeleteFile, BrokerArgs.Array(1).Add(path).ToArray());

    public void Rename(string source, string destination, bool replace = true)
        => link.Request(BrokerOperation.Rename, BrokerArgs.Array(3).Add(source).Add(destination).Add(replace).ToArray());

    public void CreateSymbolicLink(string path, string target)
        => link.Request(BrokerOperation.CreateSymbolicLink, BrokerArgs.Array(2).Add(path).Add(target).ToArray());

    public string ReadSymbolicLink(string path)
        => Reader(link.Request(BrokerOperation.ReadSymbolicLink, BrokerArgs.Array(1).Add(path).ToArray()), 1).ReadString() ?? string.Empty;

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
        => link.Request(BrokerOperation.SetTimes, BrokerArgs.Array(4).Add(path).Add(accessTime?.UtcTicks).Add(modificationTime?.UtcTicks).Add(followSymbolicLinks).ToArray());

    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
        => link.Request(BrokerOperation.SetMode, BrokerArgs.Array(3).Add(path).Add((long)mode).Add(followSymbolicLinks).ToArray());

    public string? GetHostPath(string path)
        => Reader(link.Request(BrokerOperation.GetHostPath, BrokerArgs.Array(1).Add(path).ToArray()), 1).ReadString();

    /// <summary>A reader over a result that is an array of <paramref name="count"/> values.</summary>
    internal static MessagePackReader Reader(byte[]? result, int count)
    {
        var reader = new MessagePackReader(result ?? throw new PythonIOException(Errno.EIO, "The host answered with nothing."));
        return reader.ReadArrayHeader() == count ? reader : throw new PythonIOException(Errno.EIO, "The host answered with an invalid result.");
    }

    private static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);
}

/// <summary>
/// A stream the host opened; every operation is a request naming its handle, and disposing it closes it in the host.
/// The position of a seekable stream is kept here (only this handle moves it) and sent with each read and write, so
/// that <c>tell</c> and seeks cost no request (a seek from the end asks for the length); every write is flushed in
/// the host before it returns, so a flush here has nothing to send.
/// </summary>
internal sealed class BrokeredStream(HostLink link, long handle, bool canRead, bool canWrite, bool canSeek, long position) : Stream
{
    private const int MaxChunk = 1 << 20;
    private long _position = position;
    private int _closed;

    public override bool CanRead => canRead && _closed == 0;

    public override bool CanWrite => canWrite && _closed == 0;

    public override bool CanSeek => canSeek && _closed == 0;

    public override long Length => BrokeredFileSystem.Reader(link.Request(BrokerOperation.GetLength, Handle()), 1).ReadInt64();

    public override long Position
    {
        get => canSeek ? _position : throw new NotSupportedException("The stream does not support seeking.");
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var reader = BrokeredFileSystem.Reader(link.Request(BrokerOperation.Read, BrokerArgs.Array(3).Add(handle).Add((long)Math.Min(buffer.Length, MaxChunk)).Add(At()).ToArray()), 1);
        var data = reader.ReadBytes() ?? default;
        if (data.Length > buffer.Length)
        {
            throw new PythonIOException(Errno.EIO, "The host returned more bytes than asked for.");
        }

        data.CopyTo(buffer);
        _position += data.Length;
        return (int)data.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        do
        {
            var chunk = buffer[..Math.Min(buffer.Length, MaxChunk)];
            _position = BrokeredFileSystem.Reader(link.Request(BrokerOperation.Write, BrokerArgs.Array(3).Add(handle).Add(chunk).Add(At()).ToArray()), 1).ReadInt64();
            buffer = buffer[chunk.Length..];
        }
        while (!buffer.IsEmpty);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!canSeek)
        {
            throw new NotSupportedException("The stream does not support seeking.");
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        if (target < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        _position = target;
        return target;
    }

    /// <summary>Truncates or extends the file; the position stays where it is, as POSIX's <c>ftruncate</c> leaves it.</summary>
    public override void SetLength(long value) => link.Request(BrokerOperation.SetLength, BrokerArgs.Array(2).Add(handle).Add(value).ToArray());

    public override void Flush()
    {
        // Every write was flushed in the host before it returned.
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            link.Request(BrokerOperation.Close, Handle());
        }

        base.Dispose(disposing);
    }

    private byte[] Handle() => BrokerArgs.Array(1).Add(handle).ToArray();

    private long At() => canSeek ? _position : -1;
}
