using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Vectored reads and writes over the runtime's own descriptors (<c>readv</c>, <c>writev</c>, <c>preadv</c>, <c>pwritev</c>):
/// one read or write, as on Linux, with the buffers held through the buffer protocol for the whole call.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    private const int RwfHipri = 0x1;
    private const int RwfDsync = 0x2;
    private const int RwfSync = 0x4;
    private const int RwfNowait = 0x8;
    private const int RwfAppend = 0x10;
    private const int RwfKnown = RwfHipri | RwfDsync | RwfSync | RwfNowait | RwfAppend;

    private nint ReadV(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        using var buffers = BufferList.Of(Arg.Required(args, 1, "buffers"), "readv", writable: true);
        var file = _backend.Fds.Get(fd);
        return Py.NewInt(ReadVector(file, buffers, null));
    }

    private nint WriteV(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        using var buffers = BufferList.Of(Arg.Required(args, 1, "buffers"), "writev", writable: false);
        var file = _backend.Fds.Get(fd);
        return Py.NewInt(WriteVector(file, buffers, null));
    }

    /// <summary><c>preadv</c>: at <c>offset</c>, the position unchanged; an offset of -1 reads at the position and moves it, as <c>preadv2</c> does.</summary>
    private nint PReadV(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        using var buffers = BufferList.Of(Arg.Required(args, 1, "buffers"), "preadv", writable: true);
        var offset = Arg.Long(args, 2, "offset");
        var flags = VectorFlags(Arg.Int(args, 3, "flags", 0), "preadv");
        var file = _backend.Fds.Get(fd);
        if (offset < -1)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if ((flags & RwfNowait) != 0 && offset == -1 && !file.ReadReady)
        {
            throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
        }

        return Py.NewInt(ReadVector(file, buffers, offset == -1 ? null : offset));
    }

    /// <summary><c>pwritev</c>: at <c>offset</c> (at the end with <c>RWF_APPEND</c>), the position unchanged; -1 writes at the position.</summary>
    private nint PWriteV(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        using var buffers = BufferList.Of(Arg.Required(args, 1, "buffers"), "pwritev", writable: false);
        var offset = Arg.Long(args, 2, "offset");
        var flags = VectorFlags(Arg.Int(args, 3, "flags", 0), "pwritev");
        var file = _backend.Fds.Get(fd);
        if (offset < -1)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (offset != -1 && (flags & RwfAppend) != 0)
        {
            offset = file.Seekable || file is MemoryFile ? EndOf(file) : throw new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        var written = WriteVector(file, buffers, offset == -1 ? null : offset);
        if ((flags & (RwfDsync | RwfSync)) != 0)
        {
            file.Flush();
        }

        return Py.NewInt(written);
    }

    /// <summary>Checks <c>RWF_*</c> flags: an unknown one is <c>EOPNOTSUPP</c>, as the man page says; the known ones are hints here.</summary>
    private int VectorFlags(int flags, string function)
    {
        if ((flags & ~RwfKnown) != 0)
        {
            throw new PythonIOException(Errno.EOPNOTSUPP, "Operation not supported");
        }

        if ((flags & RwfHipri) != 0)
        {
            CompatibilityLog.DescriptorFlagsIgnored(_backend.Compatibility, function, "RWF_HIPRI");
        }

        return flags;
    }

    /// <summary>One read, scattered into the buffers (at <paramref name="offset"/> when given).</summary>
    private static int ReadVector(OpenFile file, BufferList buffers, long? offset)
    {
        if (!file.Readable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        var total = (int)Math.Min(buffers.TotalLength, MaxReadChunk);
        if (buffers.Count == 1 && offset is null)
        {
            return ReadSpan(file, buffers[0]);
        }

        var temporary = new byte[total];
        var n = offset is { } at ? ReadAt(file, at, temporary) : ReadSpan(file, temporary);
        return buffers.Scatter(temporary.AsSpan(0, n));
    }

    /// <summary>The buffers gathered into one write (at <paramref name="offset"/> when given); a regular file takes them one by one.</summary>
    private static int WriteVector(OpenFile file, BufferList buffers, long? offset)
    {
        if (!file.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        if (buffers.TotalLength <= MaxReadChunk)
        {
            var data = new byte[buffers.TotalLength];
            buffers.Gather(data);
            return offset is { } at ? WriteAt(file, at, data) : WriteSpan(file, data);
        }

        // Larger than one gathered copy should be: each buffer in turn, until one is written short.
        long written = 0;
        for (var i = 0; i < buffers.Count && written < MaxTransfer; i++)
        {
            var part = buffers[i][..(int)Math.Min(buffers[i].Length, MaxTransfer - written)];
            var n = offset is { } at ? WriteAt(file, at + written, part) : WriteSpan(file, part);
            written += n;
            if (n < part.Length)
            {
                break;
            }
        }

        return (int)written;
    }

    /// <summary>Reads at <paramref name="offset"/>, leaving the position where it was (<c>ESPIPE</c> for a pipe or socket).</summary>
    private static int ReadAt(OpenFile file, long offset, Span<byte> buffer)
    {
        if (file is MemoryFile memory)
        {
            return memory.ReadAt(offset, buffer);
        }

        var position = file.Seek(0, SeekOrigin.Current);
        try
        {
            file.Seek(offset, SeekOrigin.Begin);
            return file.Read(buffer[..Math.Min(buffer.Length, MaxReadChunk)], CancellationToken.None);
        }
        finally
        {
            file.Seek(position, SeekOrigin.Begin);
        }
    }

    /// <summary>Writes at <paramref name="offset"/>, leaving the position where it was (an <c>O_APPEND</c> file appends, as Linux's <c>pwrite</c> does).</summary>
    private static int WriteAt(OpenFile file, long offset, ReadOnlySpan<byte> data)
    {
        if (file is MemoryFile { Append: false } memory)
        {
            return memory.WriteAt(offset, data);
        }

        var position = file.Seek(0, SeekOrigin.Current);
        try
        {
            file.Seek(offset, SeekOrigin.Begin);
            return file.Write(data[..WriteLength(data.Length)]);
        }
        finally
        {
            file.Seek(position, SeekOrigin.Begin);
        }
    }

    private static long EndOf(OpenFile file)
    {
        var position = file.Seek(0, SeekOrigin.Current);
        var end = file.Seek(0, SeekOrigin.End);
        file.Seek(position, SeekOrigin.Begin);
        return end;
    }
}
