using Microsoft.Win32.SafeHandles;
using static PyHosting.Providers.Internal.Physical.LinuxNative;

namespace PyHosting.Providers.Internal.Physical;

/// <summary>What a stream knows about the file it is open on: its status, read from the open descriptor.</summary>
internal interface IOpenFileStatus
{
    /// <summary>Gets the status of the open file (<c>statx</c> of the descriptor), whatever its name is now.</summary>
    PythonFileStatus GetStatus();
}

/// <summary>
/// An unbuffered stream over the descriptor of a regular file that the rooted file system opened: <c>pread</c> and
/// <c>pwrite</c> at a position kept here, so that opening costs no system call beyond <c>openat2</c> and the
/// <c>statx</c> that already refused directories (a <see cref="FileStream"/> asks the descriptor again with
/// <c>fstat</c> and <c>lseek</c>). Not for <c>O_APPEND</c>, where Linux's <c>pwrite</c> ignores the position.
/// </summary>
internal sealed unsafe class RegularFileStream(SafeFileHandle handle, bool canRead, bool canWrite, string path) : Stream, IOpenFileStatus
{
    private long _position;

    public override bool CanRead => canRead && !handle.IsClosed;

    public override bool CanWrite => canWrite && !handle.IsClosed;

    public override bool CanSeek => !handle.IsClosed;

    public override long Length => GetStatus().Size;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public PythonFileStatus GetStatus()
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        return LinuxRootedFileSystem.StatusOfOpen(handle, path);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!CanRead)
        {
            throw new NotSupportedException("The stream does not support reading.");
        }

        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = PRead(handle, p, (nuint)buffer.Length, _position);
                if (n >= 0)
                {
                    _position += n;
                    return (int)n;
                }

                if (LastErrno != Errno.EINTR)
                {
                    throw Failure();
                }
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!CanWrite)
        {
            throw new NotSupportedException("The stream does not support writing.");
        }

        fixed (byte* p = buffer)
        {
            var written = 0;
            while (written < buffer.Length)
            {
                var n = PWrite(handle, p + written, (nuint)(buffer.Length - written), _position);
                if (n < 0)
                {
                    if (LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw Failure();
                }

                written += (int)n;
                _position += n;
            }
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        _position = target;
        return target;
    }

    public override void SetLength(long value)
    {
        if (!CanWrite)
        {
            throw new NotSupportedException("The stream does not support writing.");
        }

        if (FTruncate(handle, value) != 0)
        {
            throw Failure();
        }
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            handle.Dispose();
        }

        base.Dispose(disposing);
    }

    private static PythonIOException Failure()
    {
        var errno = LastErrno;
        return new PythonIOException(errno, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno));
    }
}
