using System.Buffers.Binary;
using MessagePack;

namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>
/// Length-prefixed MessagePack frames over a pair of byte streams (the worker's inherited pipes): a 4-byte
/// little-endian length, then one <see cref="WorkerMessage"/>. A frame longer than <see cref="MaxFrameLength"/>,
/// a truncated frame or one that does not deserialise is a <see cref="ChannelProtocolException"/>. Writes are
/// serialised; reads belong to one reader thread.
/// </summary>
internal sealed class FrameChannel : IDisposable
{
    /// <summary>The longest frame either side accepts: 128 MiB.</summary>
    public const int MaxFrameLength = 128 << 20;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Lock _writeGate = new();
    private readonly byte[] _header = new byte[4];

    public FrameChannel(Stream input, Stream output)
    {
        _input = input;
        _output = output;
    }

    /// <summary>Writes one frame and flushes it.</summary>
    /// <param name="message">The message.</param>
    /// <exception cref="IOException">The other side has gone.</exception>
    public void Write(WorkerMessage message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        WorkerMessageFormatter.Write(ref writer, message);
        writer.Flush();
        var payload = buffer.WrittenSpan;
        if (payload.Length > MaxFrameLength)
        {
            throw new ChannelProtocolException($"A frame of {payload.Length} bytes is longer than the {MaxFrameLength} bytes the channel carries.");
        }

        var frame = new byte[payload.Length + 4];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(4));
        lock (_writeGate)
        {
            _output.Write(frame);
            _output.Flush();
        }
    }

    /// <summary>Reads one frame, blocking.</summary>
    /// <returns>The message, or <see langword="null"/> at the end of the stream between frames.</returns>
    /// <exception cref="ChannelProtocolException">The frame is oversized, truncated or malformed.</exception>
    public WorkerMessage? Read()
    {
        if (!ReadExactly(_header, allowEnd: true))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        if (length is <= 0 or > MaxFrameLength)
        {
            throw new ChannelProtocolException($"A frame announces {length} bytes; the channel carries 1 to {MaxFrameLength}.");
        }

        var payload = new byte[length];
        ReadExactly(payload, allowEnd: false);
        try
        {
            var reader = new MessagePackReader(payload);
            return WorkerMessageFormatter.Read(ref reader);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidCastException)
        {
            throw new ChannelProtocolException("A frame does not hold a valid message: " + e.Message, e);
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
    }

    private bool ReadExactly(byte[] buffer, bool allowEnd)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = _input.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                if (read == 0 && allowEnd)
                {
                    return false;
                }

                throw new ChannelProtocolException(FormattableString.Invariant($"The channel ended inside a frame ({read} of {buffer.Length} bytes)."));
            }

            read += n;
        }

        return true;
    }
}

/// <summary>The other side of a worker channel broke the protocol.</summary>
internal sealed class ChannelProtocolException : Exception
{
    public ChannelProtocolException()
    {
    }

    public ChannelProtocolException(string message)
        : base(message)
    {
    }

    public ChannelProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
