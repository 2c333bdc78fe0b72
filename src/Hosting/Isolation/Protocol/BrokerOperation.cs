using System.Buffers;
using MessagePack;

namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>
/// The provider operations a worker asks the host for (<see cref="MessageKind.Request"/>): the file system,
/// the streams it opened, the process provider and its processes, and the clock. Their arguments and results are
/// MessagePack arrays written and read by <see cref="BrokerArgs"/>; the comment of each gives them.
/// </summary>
internal enum BrokerOperation
{
    /// <summary>(path, follow) → nil or status.</summary>
    GetStatus = 1,

    /// <summary>(path, flags, mode) → [handle, canRead, canWrite, canSeek, position or -1].</summary>
    Open = 2,

    /// <summary>(path) → [[name, kind], ...].</summary>
    ReadDirectory = 3,

    /// <summary>(path, mode) → nil.</summary>
    CreateDirectory = 4,

    /// <summary>(path) → nil.</summary>
    DeleteDirectory = 5,

    /// <summary>(path) → nil.</summary>
    DeleteFile = 6,

    /// <summary>(source, destination, replace) → nil.</summary>
    Rename = 7,

    /// <summary>(path, target) → nil.</summary>
    CreateSymbolicLink = 8,

    /// <summary>(path) → target.</summary>
    ReadSymbolicLink = 9,

    /// <summary>(path, accessTicks or nil, modificationTicks or nil, follow) → nil.</summary>
    SetTimes = 10,

    /// <summary>(path, mode, follow) → nil.</summary>
    SetMode = 11,

    /// <summary>(path) → host path or nil.</summary>
    GetHostPath = 12,

    /// <summary>(handle, count, position or -1) → bytes (empty at the end).</summary>
    Read = 20,

    /// <summary>(handle, bytes, position or -1) → [position or -1]: the bytes are written at the position (or where an appending stream puts them) and flushed.</summary>
    Write = 21,

    /// <summary>(handle, offset, origin) → position.</summary>
    Seek = 22,

    /// <summary>(handle) → length.</summary>
    GetLength = 23,

    /// <summary>(handle, length) → [position or -1].</summary>
    SetLength = 24,

    /// <summary>(handle) → nil.</summary>
    Flush = 25,

    /// <summary>(handle) → nil: closes a stream, or disposes a process.</summary>
    Close = 26,

    /// <summary>(handle) → position.</summary>
    GetPosition = 27,

    /// <summary>(arguments, environment map, working directory or nil, stdin, stdout, stderr) → [handle, id, hasIn, hasOut, hasErr].</summary>
    StartProcess = 40,

    /// <summary>(handle, stream 1 or 2, count) → bytes (empty at the end).</summary>
    ProcessRead = 41,

    /// <summary>(handle, bytes) → nil: writes to standard input.</summary>
    ProcessWrite = 42,

    /// <summary>(handle) → nil: closes standard input.</summary>
    ProcessCloseInput = 43,

    /// <summary>(handle) → exit code or nil.</summary>
    ProcessExitCode = 44,

    /// <summary>(handle) → exit code, once the process has exited.</summary>
    ProcessWait = 45,

    /// <summary>(handle) → nil.</summary>
    ProcessKill = 46,

    /// <summary>() → [utcTicks].</summary>
    GetUtcNow = 60,

    /// <summary>() → timestamp.</summary>
    GetTimestamp = 61,

    /// <summary>(timer, dueTicks, periodTicks) → nil; the host sends <see cref="MessageKind.TimerFired"/> each time it fires.</summary>
    CreateTimer = 62,

    /// <summary>(timer, dueTicks, periodTicks) → changed.</summary>
    ChangeTimer = 63,

    /// <summary>(timer) → nil.</summary>
    DisposeTimer = 64,
}

/// <summary>Writes the MessagePack arrays of brokered operations' arguments and results, one value at a time.</summary>
internal sealed class BrokerArgs
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    private BrokerArgs(int count) => AddArrayHeader(count);

    /// <summary>Starts an array of <paramref name="count"/> values.</summary>
    /// <param name="count">The number of values.</param>
    /// <returns>The writer.</returns>
    public static BrokerArgs Array(int count) => new(count);

    public BrokerArgs Add(string? value) => Put(value, static (ref MessagePackWriter w, string? v) => w.Write(v));

    public BrokerArgs Add(long value) => Put(value, static (ref MessagePackWriter w, long v) => w.Write(v));

    public BrokerArgs Add(long? value) => Put(value, static (ref MessagePackWriter w, long? v) =>
    {
        if (v is { } n)
        {
            w.Write(n);
        }
        else
        {
            w.WriteNil();
        }
    });

    public BrokerArgs Add(bool value) => Put(value, static (ref MessagePackWriter w, bool v) => w.Write(v));

    public BrokerArgs Add(ReadOnlySpan<byte> value)
    {
        var writer = new MessagePackWriter(_buffer);
        writer.Write(value);
        writer.Flush();
        return this;
    }

    public BrokerArgs AddArrayHeader(int count) => Put(count, static (ref MessagePackWriter w, int v) => w.WriteArrayHeader(v));

    public BrokerArgs AddMapHeader(int count) => Put(count, static (ref MessagePackWriter w, int v) => w.WriteMapHeader(v));

    /// <summary>Ends the array.</summary>
    /// <returns>The encoded bytes.</returns>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private BrokerArgs Put<T>(T value, WriteValue<T> write)
    {
        var writer = new MessagePackWriter(_buffer);
        write(ref writer, value);
        writer.Flush();
        return this;
    }

    private delegate void WriteValue<in T>(ref MessagePackWriter writer, T value);
}
