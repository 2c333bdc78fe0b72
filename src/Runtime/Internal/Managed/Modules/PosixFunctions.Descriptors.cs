using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Descriptor-level calls over the runtime's own descriptors: vectored reads and writes, copies between descriptors
/// (<c>sendfile</c>, <c>copy_file_range</c>, <c>splice</c>), <c>eventfd</c>, <c>memfd_create</c>, <c>posix_fallocate</c>,
/// <c>posix_fadvise</c> and <c>lockf</c>. No host descriptor is involved: the data goes through the runtime's files, pipes
/// and sockets (a host socket that <c>HostSockets</c> allowed included). Argument errors and errno follow CPython and Linux.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>Linux's <c>MAX_RW_COUNT</c>: the most one read, write or copy call moves.</summary>
    private const long MaxTransfer = 0x7ffff000;

    /// <summary>The bytes one step of a copy between descriptors moves (a pipe takes them at once).</summary>
    private const int CopyChunk = 1 << 16;

    private const int RwfHipri = 0x1;
    private const int RwfDsync = 0x2;
    private const int RwfSync = 0x4;
    private const int RwfNowait = 0x8;
    private const int RwfAppend = 0x10;
    private const int RwfKnown = RwfHipri | RwfDsync | RwfSync | RwfNowait | RwfAppend;

    private const int SpliceNonblock = 0x2;
    private const int SpliceKnown = 0xF;

    public const int EfdSemaphore = 0x1;
    public const int EfdNonblock = 0x800;
    public const int EfdCloexec = 0x80000;

    private const int MfdCloexec = 0x1;
    private const int MfdAllowSealing = 0x2;
    private const int MfdHugetlb = 0x4;
    private const int MfdNoexecSeal = 0x8;
    private const int MfdExec = 0x10;
    private const int MfdHugeSizeMask = 0x3f << 26;
    private const int MaxMemfdName = 249;

    private const int EOverflow = 75;

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

    /// <summary>Whether the descriptor is a regular file the runtime can read at an offset (<c>sendfile</c>'s and <c>copy_file_range</c>'s source).</summary>
    private static bool IsRegular(OpenFile file) => file is MemoryFile or ProviderFile { Seekable: true };

    /// <summary>
    /// <c>sendfile(out_fd, in_fd, offset, count)</c>: from a regular file to any descriptor the runtime can write (a file,
    /// a pipe, a socket pair, a host socket). With <c>offset</c> None it reads at the input's position and moves it;
    /// otherwise the input's position stays. At most <see cref="MaxTransfer"/> bytes per call, as on Linux.
    /// </summary>
    private nint SendFile(BridgeArgs args)
    {
        var outFd = Arg.Int(args, 0, "out_fd");
        var inFd = Arg.Int(args, 1, "in_fd");
        var offsetArgument = Arg.Optional(args, "offset");
        long? offset = offsetArgument == 0 ? null : Arg.Long(offsetArgument, "offset");
        var count = Arg.Long(args, 3, "count");

        // Looked up once every argument is read: reading one may run Python code (__index__) that closes a descriptor.
        var output = _backend.Fds.Get(outFd);
        var input = _backend.Fds.Get(inFd);
        if (!input.Readable || !output.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        if (!IsRegular(input) || output.Append || offset < 0 || count < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        return Py.NewInt(Copy(input, offset, output, null, Math.Min(count, MaxTransfer)));
    }

    /// <summary>
    /// <c>copy_file_range</c>: between two regular files (<c>EINVAL</c> for anything else, <c>EBADF</c> for an output opened to
    /// append, <c>EINVAL</c> for overlapping ranges of one file). A None offset uses and moves that file's position.
    /// </summary>
    private nint CopyFileRange(BridgeArgs args)
    {
        var sourceFd = Arg.Int(args, 0, "src");
        var targetFd = Arg.Int(args, 1, "dst");
        var count = Arg.Long(args, 2, "count");
        var sourceOffset = OptionalOffset(args, "offset_src");
        var targetOffset = OptionalOffset(args, "offset_dst");
        if (count < 0)
        {
            throw new PythonArgumentException("negative value for 'count' not allowed", isValueError: true);
        }

        var source = _backend.Fds.Get(sourceFd);
        var target = _backend.Fds.Get(targetFd);
        if (!source.Readable || !target.Writable || target.Append)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        if (source is DirectoryFile || target is DirectoryFile)
        {
            throw new PythonIOException(Errno.EISDIR, "Is a directory");
        }

        if (!IsRegular(source) || !IsRegular(target))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (sourceOffset < 0 || targetOffset < 0)
        {
            throw new PythonIOException(sourceOffset < 0 ? EOverflow : Errno.EINVAL, sourceOffset < 0 ? "Value too large for defined data type" : "Invalid argument");
        }

        count = Math.Min(count, MaxTransfer);
        if (SameFile(source, target) && count > 0)
        {
            var from = sourceOffset ?? source.Seek(0, SeekOrigin.Current);
            var to = targetOffset ?? target.Seek(0, SeekOrigin.Current);
            if (from < to + count && to < from + count)
            {
                throw new PythonIOException(Errno.EINVAL, "Invalid argument");
            }
        }

        return Py.NewInt(Copy(source, sourceOffset, target, targetOffset, count));
    }

    /// <summary>
    /// <c>splice</c>: one end at least is one of the runtime's pipes (<c>EINVAL</c> otherwise); an offset given for a pipe is
    /// <c>ESPIPE</c>. From a pipe it moves what the pipe holds (waiting for data unless <c>SPLICE_F_NONBLOCK</c> or the pipe is
    /// non-blocking: <c>EAGAIN</c>); into a pipe at most what it has room for.
    /// </summary>
    private nint Splice(BridgeArgs args)
    {
        var sourceFd = Arg.Int(args, 0, "src");
        var targetFd = Arg.Int(args, 1, "dst");
        var count = Arg.Long(args, 2, "count");
        var sourceOffset = OptionalOffset(args, "offset_src");
        var targetOffset = OptionalOffset(args, "offset_dst");
        var flags = Arg.Int(args, 5, "flags", 0);
        if (count < 0)
        {
            throw new PythonArgumentException("negative value for 'count' not allowed", isValueError: true);
        }

        var source = _backend.Fds.Get(sourceFd);
        var target = _backend.Fds.Get(targetFd);

        if (!source.Readable || !target.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        var fromPipe = source as VirtualPipe.End;
        var toPipe = target as VirtualPipe.End;
        if ((flags & ~SpliceKnown) != 0 || (fromPipe is null && toPipe is null) || (toPipe is null && target.Append)
            || source is DirectoryFile || target is DirectoryFile)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if ((fromPipe is not null && sourceOffset is not null) || (toPipe is not null && targetOffset is not null))
        {
            throw new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        if (sourceOffset < 0 || targetOffset < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (count == 0)
        {
            return Py.NewInt(0);
        }

        source.AddReference();
        target.AddReference();
        try
        {
            return Py.NewInt(Move(source, sourceOffset, fromPipe, target, targetOffset, toPipe, count, (flags & SpliceNonblock) != 0));
        }
        finally
        {
            source.Release();
            target.Release();
        }
    }

    /// <summary>The move of <see cref="Splice"/>, once checked; both files are kept open meanwhile (a pipe may wait without the GIL).</summary>
    private static int Move(OpenFile source, long? sourceOffset, VirtualPipe.End? fromPipe, OpenFile target, long? targetOffset, VirtualPipe.End? toPipe, long count, bool nonblocking)
    {
        var chunk = (int)Math.Min(count, CopyChunk);
        if (fromPipe is not null)
        {
            // What the pipe holds now, then all of it to the output.
            var data = new byte[chunk];
            var n = ReadPipe(fromPipe, data, nonblocking);
            if (n > 0)
            {
                WriteAll(target, targetOffset, data.AsSpan(0, n));
            }

            return n;
        }

        // Into a pipe: no more than it has room for, and nothing read from the input that the pipe did not take.
        var pipe = toPipe!.Pipe;
        if (pipe.Sink is null)
        {
            if (pipe.ReaderClosed)
            {
                throw new PythonIOException(Errno.EPIPE, "Broken pipe");
            }

            if ((nonblocking || !toPipe.Blocking) && !pipe.CanWrite)
            {
                throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
            }

            var room = pipe.Size - pipe.Buffered;
            chunk = Math.Min(chunk, room > 0 ? room : chunk);
        }

        var buffer = new byte[chunk];
        var start = sourceOffset ?? (IsRegular(source) ? source.Seek(0, SeekOrigin.Current) : 0);
        var read = IsRegular(source) ? ReadAt(source, start, buffer) : ReadSpan(source, buffer);
        if (read == 0)
        {
            return 0;
        }

        var written = WriteOnce(toPipe, buffer.AsSpan(0, read), nonblocking);
        if (sourceOffset is null && IsRegular(source))
        {
            source.Seek(start + written, SeekOrigin.Begin);
        }

        return written;
    }

    /// <summary>An offset argument: None (use the position) or a number.</summary>
    private static long? OptionalOffset(BridgeArgs args, string name)
    {
        var o = Arg.Optional(args, name);
        return o == 0 ? null : Arg.Long(o, name);
    }

    /// <summary>Whether two open files are the same file (one identity for the advisory locks and the overlap check).</summary>
    private static bool SameFile(OpenFile a, OpenFile b)
        => a == b || (a is ProviderFile { Path: { } pa } && b is ProviderFile { Path: { } pb } && string.Equals(pa, pb, StringComparison.Ordinal));

    /// <summary>
    /// Copies up to <paramref name="count"/> bytes from a regular file to any writable descriptor, a chunk at a time,
    /// until the count, the end of the input or a short write (a full non-blocking output). A None offset uses and moves
    /// the file's position. Both files are kept open meanwhile (a write may wait without the GIL).
    /// </summary>
    private static long Copy(OpenFile input, long? inputOffset, OpenFile output, long? outputOffset, long count)
    {
        if (count == 0)
        {
            return 0;
        }

        var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
        var start = inputOffset ?? input.Seek(0, SeekOrigin.Current);
        var outputStart = outputOffset ?? (IsRegular(output) ? output.Seek(0, SeekOrigin.Current) : 0);
        var buffer = new byte[(int)Math.Min(count, CopyChunk)];
        long copied = 0;
        input.AddReference();
        output.AddReference();
        try
        {
            while (copied < count)
            {
                token.ThrowIfCancellationRequested();
                var n = ReadAt(input, start + copied, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count - copied)));
                if (n == 0)
                {
                    break;
                }

                int written;
                try
                {
                    written = IsRegular(output)
                        ? WriteAt(output, outputStart + copied, buffer.AsSpan(0, n))
                        : WriteSpan(output, buffer.AsSpan(0, n));
                }
                catch (PythonIOException e) when (copied > 0 && e.ErrorNumber == Errno.EAGAIN)
                {
                    break; // a non-blocking output took part of it: that part is the result
                }

                copied += written;
                if (written < n)
                {
                    break;
                }
            }
        }
        finally
        {
            if (inputOffset is null)
            {
                input.Seek(start + copied, SeekOrigin.Begin);
            }

            if (outputOffset is null && IsRegular(output))
            {
                output.Seek(outputStart + copied, SeekOrigin.Begin);
            }

            input.Release();
            output.Release();
        }

        return copied;
    }

    /// <summary>Reads what a pipe holds (waiting without the GIL unless non-blocking).</summary>
    private static int ReadPipe(VirtualPipe.End end, byte[] buffer, bool nonblocking)
    {
        if (!nonblocking || end.Pipe.Source is not null)
        {
            return ReadSpan(end, buffer);
        }

        return end.Pipe.Receive(buffer, blocking: false, CancellationToken.None);
    }

    /// <summary>One write into a pipe: what fits, or all of it when it may wait (<c>EAGAIN</c> when non-blocking and full).</summary>
    private static int WriteOnce(VirtualPipe.End end, ReadOnlySpan<byte> data, bool nonblocking)
        => nonblocking && end.Pipe.Sink is null ? end.Pipe.Send(data, blocking: false, CancellationToken.None) : WriteSpan(end, data);

    /// <summary>Writes all of <paramref name="data"/> (at <paramref name="offset"/> for a regular file).</summary>
    private static void WriteAll(OpenFile file, long? offset, ReadOnlySpan<byte> data)
    {
        var position = offset ?? (IsRegular(file) ? file.Seek(0, SeekOrigin.Current) : 0);
        var written = 0;
        while (written < data.Length)
        {
            var n = IsRegular(file) ? WriteAt(file, position + written, data[written..]) : WriteSpan(file, data[written..]);
            if (n <= 0)
            {
                throw new PythonIOException(Errno.EIO, "Input/output error");
            }

            written += n;
        }

        if (offset is null && IsRegular(file))
        {
            file.Seek(position + written, SeekOrigin.Begin);
        }
    }

    /// <summary><c>eventfd(initval, flags=EFD_CLOEXEC)</c>: a counter of the runtime's (<see cref="EventFdFile"/>).</summary>
    private nint EventFd(BridgeArgs args)
    {
        var initial = Unsigned(Arg.Required(args, 0, "initval"), uint.MaxValue, "C unsigned int");
        var flags = Arg.Int(args, 1, "flags", EfdCloexec);
        if ((flags & ~(EfdSemaphore | EfdNonblock | EfdCloexec)) != 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var file = new EventFdFile(initial, (flags & EfdSemaphore) != 0)
        {
            Blocking = (flags & EfdNonblock) == 0,
            Inheritable = (flags & EfdCloexec) == 0,
        };
        return Py.NewInt(_backend.Fds.Add(file));
    }

    /// <summary><c>eventfd_read(fd)</c>: one 8-byte read, as an unsigned integer.</summary>
    private nint EventFdRead(BridgeArgs args)
    {
        var file = _backend.Fds.Get(FdOf(Arg.Required(args, 0, "fd")));
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        var n = ReadSpan(file, value);
        return n == sizeof(ulong)
            ? LibPython.PyLong_FromUnsignedLongLong(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value))
            : throw new PythonIOException(Errno.EINVAL, "Invalid argument");
    }

    /// <summary><c>eventfd_write(fd, value)</c>: one 8-byte write.</summary>
    private nint EventFdWrite(BridgeArgs args)
    {
        var fd = FdOf(Arg.Required(args, 0, "fd"));
        var value = Unsigned(Arg.Required(args, 1, "value"), ulong.MaxValue, "C unsigned long long");
        var file = _backend.Fds.Get(fd);
        Span<byte> data = stackalloc byte[sizeof(ulong)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(data, value);
        WriteSpan(file, data);
        return Py.NewNone();
    }

    /// <summary>
    /// <c>memfd_create(name, flags=MFD_CLOEXEC)</c>: an anonymous file in memory (<see cref="MemoryFile"/>), counted against
    /// <c>PythonRuntime:MemoryLimit</c>. It names nothing in a file system, so it needs no IO permission.
    /// </summary>
    private nint MemfdCreate(BridgeArgs args)
    {
        var name = Arg.Path(args, 0, "name");
        var flags = Arg.Int(args, 1, "flags", MfdCloexec);
        var known = MfdCloexec | MfdAllowSealing | MfdHugetlb | MfdNoexecSeal | MfdExec;
        if (System.Text.Encoding.UTF8.GetByteCount(name.Path!) > MaxMemfdName || (flags & ~(known | MfdHugeSizeMask)) != 0
            || ((flags & MfdHugeSizeMask) != 0 && (flags & MfdHugetlb) == 0))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if ((flags & (MfdHugetlb | MfdAllowSealing)) != 0)
        {
            CompatibilityLog.DescriptorFlagsIgnored(_backend.Compatibility, "memfd_create", (flags & MfdHugetlb) != 0 ? "MFD_HUGETLB" : "MFD_ALLOW_SEALING");
        }

        var file = new MemoryFile(name.Path!, _backend.Clock) { Inheritable = (flags & MfdCloexec) == 0 };
        return Py.NewInt(_backend.Fds.Add(file));
    }

    /// <summary><c>posix_fallocate(fd, offset, len)</c>: the file grows to at least <c>offset + len</c> (its space is the provider's).</summary>
    private nint PosixFallocate(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var offset = Arg.Long(args, 1, "offset");
        var length = Arg.Long(args, 2, "len");
        var file = _backend.Fds.Get(fd);
        if (offset < 0 || length <= 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (!IsRegular(file))
        {
            throw file is DirectoryFile ? new PythonIOException(Errno.EBADF, "Bad file descriptor") : new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        if (!file.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        var end = offset > long.MaxValue - length ? throw new PythonIOException(Errno.EFBIG, "File too large") : offset + length;
        if (end > EndOf(file))
        {
            file.Truncate(end);
        }

        return Py.NewNone();
    }

    /// <summary><c>posix_fadvise(fd, offset, len, advice)</c>: checked as Linux checks it; the advice itself changes nothing here.</summary>
    private nint PosixFadvise(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        Arg.Long(args, 1, "offset");
        var length = Arg.Long(args, 2, "len");
        var advice = Arg.Int(args, 3, "advice");
        var file = _backend.Fds.Get(fd);
        if (file is VirtualPipe.End or VirtualSocket or HostSocket)
        {
            throw new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        if (length < 0 || advice is < 0 or > 5)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        return Py.NewNone();
    }

    /// <summary>
    /// <c>os.lockf(fd, command, length)</c>: POSIX record locks belong to a process, and a process's own locks never
    /// conflict with each other; the runtime is one process and other processes do not see its locks, so every command
    /// succeeds once checked (<c>F_TEST</c> finds no other owner).
    /// </summary>
    private nint LockF(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var command = Arg.Int(args, 1, "command");
        Arg.Long(args, 2, "length");
        var file = _backend.Fds.Get(fd);
        if (command is < 0 or > 3)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (command is 1 or 2 && !file.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        CompatibilityLog.RecordLockEmulated(_backend.Compatibility, "os.lockf", file is ProviderFile { Path: { } p } ? p : "(no path)");
        return Py.NewNone();
    }

    /// <summary>
    /// An unsigned C integer argument read as CPython's converters read it: <c>__index__</c> is used, a negative value is
    /// <c>ValueError("value must be positive")</c>, one above <paramref name="max"/> <c>OverflowError</c>.
    /// </summary>
    private static ulong Unsigned(nint o, ulong max, string type)
    {
        var number = Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) ? o : LibPython.PyNumber_Index(o);
        if (number == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            var sign = LongSign(number);
            if (sign < 0)
            {
                throw new PythonArgumentException("value must be positive", isValueError: true);
            }

            var value = s_asUnsigned(number);
            if (value == ulong.MaxValue && LibPython.PyErr_Occurred() != 0)
            {
                LibPython.PyErr_Clear();
                Py.SetError(LibPython.ExcOverflowError, "int too big to convert");
                throw new PythonErrorException();
            }

            if (value > max)
            {
                Py.SetError(LibPython.ExcOverflowError, $"Python int too large for {type}");
                throw new PythonErrorException();
            }

            return value;
        }
        finally
        {
            if (number != o)
            {
                LibPython.Py_DecRef(number);
            }
        }
    }

    private static delegate* unmanaged<nint, ulong> s_asUnsigned;
    private static delegate* unmanaged<nint, int> s_longSign;

    private static int LongSign(nint number)
    {
        if (s_longSign == null)
        {
            s_asUnsigned = (delegate* unmanaged<nint, ulong>)LibPython.Export("PyLong_AsUnsignedLongLong");
            s_longSign = (delegate* unmanaged<nint, int>)LibPython.Export("_PyLong_Sign");
        }

        return s_longSign(number);
    }
}
