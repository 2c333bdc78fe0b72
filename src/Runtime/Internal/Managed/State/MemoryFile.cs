using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// An anonymous file in memory (<c>os.memfd_create</c>): a regular, seekable, readable and writable file that has no
/// name in any file system, so it needs no IO permission, as a <c>BytesIO</c> needs none. Its contents are .NET memory
/// that Python fills: every byte it holds is counted against <c>PythonRuntime:MemoryLimit</c> before it is stored (a
/// write or size change the limit refuses fails with <c>ENOSPC</c>), and given back when the last descriptor closes.
/// </summary>
internal sealed class MemoryFile : OpenFile
{
    /// <summary>The largest size the file may take (Linux's <c>MAX_LFS_FILESIZE</c> is larger; a .NET array holds less).</summary>
    public const long MaxSize = 0x7FFFFFC7;

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _created;
    private byte[] _data = [];
    private long _length;
    private long _position;
    private long _charged;
    private DateTimeOffset _modified;

    public MemoryFile(string name, TimeProvider clock)
    {
        Name = name;
        _clock = clock;
        _created = _modified = clock.GetUtcNow();
    }

    /// <summary>Gets the name given to <c>memfd_create</c> (Linux shows it as <c>/memfd:name</c>; it names no path).</summary>
    public string Name { get; }

    public override bool Readable => true;

    public override bool Writable => true;

    public override bool Seekable => true;

    public override bool Append { get; set; }

    /// <summary>Gets the current size in bytes.</summary>
    public long Length
    {
        get
        {
            lock (_gate)
            {
                return _length;
            }
        }
    }

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var n = ReadAt(_position, buffer);
            _position += n;
            return n;
        }
    }

    /// <summary>Reads at <paramref name="offset"/> without moving the position.</summary>
    public int ReadAt(long offset, Span<byte> buffer)
    {
        lock (_gate)
        {
            if (offset >= _length)
            {
                return 0;
            }

            var n = (int)Math.Min(buffer.Length, _length - offset);
            _data.AsSpan((int)offset, n).CopyTo(buffer);
            return n;
        }
    }

    public override int Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (Append)
            {
                _position = _length;
            }

            var n = WriteAt(_position, data);
            _position += n;
            return n;
        }
    }

    /// <summary>Writes at <paramref name="offset"/> without moving the position (a gap before it reads as zeros).</summary>
    public int WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (data.IsEmpty)
            {
                return 0;
            }

            var end = offset + data.Length;
            if (offset < 0 || end > MaxSize)
            {
                throw new PythonIOException(Errno.EFBIG, "File too large");
            }

            Grow(end);
            if (offset > _length)
            {
                // The gap reads as zeros, whatever an earlier, longer content left in the array.
                _data.AsSpan((int)_length, (int)(offset - _length)).Clear();
            }

            data.CopyTo(_data.AsSpan((int)offset));
            _length = Math.Max(_length, end);
            _modified = _clock.GetUtcNow();
            return data.Length;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        lock (_gate)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => _length + offset,
            };
            if (target < 0)
            {
                throw new PythonIOException(Errno.EINVAL, "Invalid argument");
            }

            _position = target;
            return target;
        }
    }

    public override void Truncate(long length)
    {
        lock (_gate)
        {
            if (length < 0)
            {
                throw new PythonIOException(Errno.EINVAL, "Invalid argument");
            }

            if (length > MaxSize)
            {
                throw new PythonIOException(Errno.EFBIG, "File too large");
            }

            if (length > _length)
            {
                Grow(length);
                _data.AsSpan((int)_length, (int)(length - _length)).Clear();
            }
            else if (length < _data.Length / 2)
            {
                Shrink(length);
            }

            _length = length;
            _modified = _clock.GetUtcNow();
        }
    }

    /// <summary>Reserves room up to <paramref name="length"/> bytes (<c>posix_fallocate</c>): the size grows, never shrinks.</summary>
    public void Allocate(long length)
    {
        lock (_gate)
        {
            if (length > _length)
            {
                Truncate(length);
            }
        }
    }

    public override PythonFileStatus Status(TimeProvider clock)
    {
        lock (_gate)
        {
            // As Linux reports a memfd: a regular file, mode 0777, no link to it.
            return new PythonFileStatus(PythonFileKind.File, _length, 0x1FF, _modified, _modified, _created) { LinkCount = 0 };
        }
    }

    /// <summary>Makes the array hold at least <paramref name="length"/> bytes, counting what it adds first.</summary>
    private void Grow(long length)
    {
        if (length <= _data.Length)
        {
            return;
        }

        var capacity = Math.Min(Math.Max(length, Math.Min((long)_data.Length * 2, MaxSize)), MaxSize);
        var more = capacity - _charged;
        if (more > 0 && !PythonInterpreter.TryReserveHostMemory(more))
        {
            capacity = length;
            more = capacity - _charged;
            if (more > 0 && !PythonInterpreter.TryReserveHostMemory(more))
            {
                throw new PythonIOException(Errno.ENOSPC, "No space left on device: the memory file's contents would pass PythonRuntime:MemoryLimit");
            }
        }

        var data = new byte[capacity];
        _data.AsSpan(0, (int)_length).CopyTo(data);
        _data = data;
        _charged = Math.Max(_charged, capacity);
    }

    private void Shrink(long length)
    {
        var data = new byte[length];
        _data.AsSpan(0, (int)length).CopyTo(data);
        _data = data;
        PythonInterpreter.ReleaseHostMemory(_charged - length);
        _charged = length;
    }

    protected override void Dispose()
    {
        lock (_gate)
        {
            _data = [];
            PythonInterpreter.ReleaseHostMemory(_charged);
            _charged = 0;
            _length = 0;
        }
    }
}
