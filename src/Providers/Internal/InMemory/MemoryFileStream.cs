namespace PyHosting.Providers.Internal.InMemory;

/// <summary>A seekable stream over an in-memory file; the content is shared by every stream open on the file.</summary>
internal sealed class MemoryFileStream : Stream
{
    private readonly MemoryFile _file;
    private readonly string _path;
    private readonly bool _canRead;
    private readonly bool _canWrite;
    private readonly bool _append;
    private long _position;
    private bool _disposed;

    public MemoryFileStream(MemoryFile file, string path, bool canRead, bool canWrite, bool append)
    {
        _file = file;
        _path = path;
        _canRead = canRead;
        _canWrite = canWrite;
        _append = append;
        _position = append ? file.Length : 0;
    }

    public override bool CanRead => !_disposed && _canRead;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => !_disposed && _canWrite;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_file.Store.Gate)
            {
                return _file.Length;
            }
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }

        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override void Flush() => ObjectDisposedException.ThrowIf(_disposed, this);

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_canRead)
        {
            throw new NotSupportedException("The stream was not opened for reading.");
        }

        lock (_file.Store.Gate)
        {
            var count = _file.Read(_position, buffer);
            _position += count;
            return count;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_canWrite)
        {
            throw new NotSupportedException("The stream was not opened for writing.");
        }

        lock (_file.Store.Gate)
        {
            // O_APPEND: every write goes to the current end, whatever other streams did meanwhile.
            var position = _append ? _file.Length : _position;
            _position = _file.Write(position, buffer, _path);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var basePosition = origin switch
        {
            SeekOrigin.Begin => 0,
            SeekOrigin.Current => _position,
            SeekOrigin.End => Length,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        var position = basePosition + offset;
        if (position < 0)
        {
            throw FileSystemErrors.Create(Errno.EINVAL, _path);
        }

        _position = position;
        return position;
    }

    public override void SetLength(long value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (!_canWrite)
        {
            throw new NotSupportedException("The stream was not opened for writing.");
        }

        lock (_file.Store.Gate)
        {
            _file.SetLength(value, _path);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            lock (_file.Store.Gate)
            {
                _file.OpenCount--;
                _file.ReleaseIfUnused();
            }
        }

        base.Dispose(disposing);
    }
}
