using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Copies between the runtime's own descriptors (<c>sendfile</c>, <c>copy_file_range</c>, <c>splice</c>): the data goes
/// through the runtime's files, pipes and sockets (a host socket that <c>HostSockets</c> allowed included), never a host
/// descriptor; at most <see cref="MaxTransfer"/> bytes per call. Argument errors and errno follow CPython and Linux.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>Linux's <c>MAX_RW_COUNT</c>: the most one read, write or copy call moves.</summary>
    private const long MaxTransfer = 0x7ffff000;

    /// <summary>The bytes one step of a copy between descriptors moves (a pipe takes them at once).</summary>
    private const int CopyChunk = 1 << 16;

    private const int SpliceNonblock = 0x2;
    private const int SpliceKnown = 0xF;
    private const int EOverflow = 75;

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
}
