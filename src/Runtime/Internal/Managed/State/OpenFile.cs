using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>An open file description behind one or more virtual file descriptors (shared by <c>dup</c>).</summary>
internal abstract class OpenFile
{
    private int _references = 1;
    private Action<OpenFile>? _closing;

    public abstract bool Readable { get; }

    public abstract bool Writable { get; }

    /// <summary>Gets the runtime path the file was opened with, if any.</summary>
    public virtual string? Path => null;

    public virtual bool IsTerminal => false;

    public virtual bool Seekable => false;

    public bool Inheritable { get; set; }

    public bool Blocking { get; set; } = true;

    /// <summary>Gets or sets whether every write goes to the end of the file (<c>O_APPEND</c>, which <c>F_SETFL</c> changes).</summary>
    public virtual bool Append { get; set; }

    /// <summary>Gets or sets what runs once when the last descriptor of this file closes, before it is released (its advisory locks go).</summary>
    public Action<OpenFile>? Closing
    {
        get => Volatile.Read(ref _closing);
        set => Volatile.Write(ref _closing, value);
    }

    public abstract int Read(Span<byte> buffer, CancellationToken cancellationToken);

    public abstract int Write(ReadOnlySpan<byte> data);

    public virtual long Seek(long offset, SeekOrigin origin) => throw new PythonIOException(Errno.ESPIPE, "Illegal seek");

    public virtual void Truncate(long length) => throw new PythonIOException(Errno.EINVAL, "Invalid argument");

    public virtual void Flush()
    {
    }

    /// <summary>Returns a status for <c>fstat</c>.</summary>
    public abstract PythonFileStatus Status(TimeProvider clock);

    /// <summary>Whether a read would not block (for <c>select</c>).</summary>
    public virtual bool ReadReady => true;

    /// <summary>Whether a write would not block (for <c>select</c>).</summary>
    public virtual bool WriteReady => true;

    /// <summary>
    /// Gets the events the file reports now, as Linux's <c>poll</c> of its kind does (<see cref="State.PollEvents"/>: readable,
    /// writable, hang-up, error, peer shut down); <c>poll</c> and <c>epoll</c> keep those asked for and the ones always reported.
    /// </summary>
    public virtual int PollEvents => (ReadReady ? State.PollEvents.Readable : 0) | (WriteReady ? State.PollEvents.Writable : 0);

    /// <summary>Gets a value indicating whether <c>epoll</c> can watch the file (Linux refuses regular files, directories and <c>/dev/null</c> with <c>EPERM</c>).</summary>
    public virtual bool Pollable => true;

    /// <summary>
    /// Gets two numbers for edge-triggered <c>epoll</c>, as Linux's wake-ups: the first changes when data arrives (a reader
    /// would be woken), the second when room appears (a writer would be); a file that does not count them reports
    /// (0, 0), and its edges are then the changes of <see cref="PollEvents"/> only.
    /// </summary>
    public virtual (long In, long Out) Wakeups => (0, 0);

    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Drops one reference; the last one releases the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Interlocked.Exchange(ref _closing, null)?.Invoke(this);
            Dispose();
        }
    }

    protected abstract void Dispose();
}

/// <summary>
/// A regular file opened through the file-system provider. Stream faults surface as errno OSErrors
/// (a provider's stock message is cut back to <c>strerror</c>); a write either completes or raises.
/// </summary>
internal sealed class ProviderFile(Stream stream, string path, bool readable, bool writable, bool append, Func<PythonFileStatus?> status, InMemoryCharge? charge = null) : OpenFile
{
    private bool _append = append;

    public override bool Append
    {
        get => _append;
        set => _append = value;
    }

    public override bool Readable => readable;

    public override bool Writable => writable;

    public override string? Path => path;

    public override bool Seekable => stream.CanSeek;

    public override bool Pollable => false;

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (!readable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        return stream.Read(buffer);
    }

    public override int Write(ReadOnlySpan<byte> data)
    {
        if (!writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        if (_append && stream.CanSeek)
        {
            stream.Seek(0, SeekOrigin.End);
        }

        charge?.BeforeWrite(data.Length);
        try
        {
            stream.Write(data);
        }
        finally
        {
            charge?.Sync();
        }

        return data.Length;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!stream.CanSeek)
        {
            throw new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => stream.Position + offset,
            _ => stream.Length + offset,
        };
        if (target < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        stream.Position = target;
        return target;
    }

    public override void Truncate(long length)
    {
        if (!writable)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (charge is not null && stream.CanSeek && length > stream.Length)
        {
            charge.BeforeWrite(length - stream.Length);
        }

        // POSIX's ftruncate leaves the offset where it was, past the new end too; a FileStream moves it to the end.
        var position = stream.CanSeek ? stream.Position : -1;
        try
        {
            stream.SetLength(length);
            if (position >= 0 && stream.Position != position)
            {
                stream.Position = position;
            }
        }
        finally
        {
            charge?.Sync();
        }
    }

    public override void Flush() => stream.Flush();

    public override PythonFileStatus Status(TimeProvider clock)
    {
        // A stream that can read the status from its open descriptor answers exactly, with no path resolved again
        // (and for a file renamed or unlinked since it was opened, too).
        if (stream is PyHosting.Providers.Internal.Physical.IOpenFileStatus open)
        {
            return open.GetStatus();
        }

        var current = status();

        // An unlinked file that is still open has no entry any more: its stream still knows its size.
        current ??= new PythonFileStatus(PythonFileKind.File, 0, 0x1A4, clock.GetUtcNow(), clock.GetUtcNow(), clock.GetUtcNow()) { LinkCount = 0 };
        return stream.CanSeek ? current with { Size = stream.Length } : current;
    }

    protected override void Dispose()
    {
        try
        {
            stream.Flush();
        }
        finally
        {
            stream.Dispose();
            charge?.Sync();
        }
    }
}

/// <summary>
/// A directory opened with <c>os.open(path, O_RDONLY)</c>: it can be inspected (<c>fstat</c>,
/// <c>fchdir</c>, <c>listdir(fd)</c>, <c>fsync</c>) and names the directory for <c>dir_fd</c>, but not read.
/// It holds the directory's runtime path (every use resolves and checks it again, as a path), which follows the
/// runtime's own renames of the directory (<see cref="Rename"/>), and the directory's inode when the provider
/// reports one (<see cref="Inode"/>), by which a use finds out that something else now stands at the path.
/// </summary>
internal sealed class DirectoryFile(string path, Func<string, PythonFileStatus?> status, long inode = 0) : OpenFile
{
    private string _path = path;

    /// <summary>Gets the inode of the directory when it was opened (0 when the provider reports none).</summary>
    public long Inode => inode;

    public override bool Readable => true;

    public override bool Writable => false;

    public override string? Path => Volatile.Read(ref _path);

    /// <summary>The directory was renamed by the runtime: the descriptor names it at its new path.</summary>
    public void Rename(string newPath) => Volatile.Write(ref _path, newPath);

    public override bool Pollable => false;

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken) => throw new PythonIOException(Errno.EISDIR, "Is a directory");

    public override int Write(ReadOnlySpan<byte> data) => throw new PythonIOException(Errno.EBADF, "Bad file descriptor");

    public override long Seek(long offset, SeekOrigin origin) => 0;

    /// <summary>The directory's status; <c>ENOENT</c> once it is gone from its path or something else stands there.</summary>
    public override PythonFileStatus Status(TimeProvider clock)
        => status(Volatile.Read(ref _path)) is { } current && (inode == 0 || current.Inode == inode)
            ? current
            : throw new PythonIOException(Errno.ENOENT, "No such file or directory");

    protected override void Dispose()
    {
    }
}

/// <summary>Standard input (always at end of file) or standard output/error (to the call's output sink).</summary>
internal sealed class StandardFile(int fd, Func<OutputSink> sink) : OpenFile
{
    /// <summary>Gets the standard stream this is (0, 1 or 2), whatever descriptor now refers to it.</summary>
    public int Descriptor => fd;

    private const int Chunk = 1 << 16;

    private readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();

    public override bool Readable => fd == 0;

    public override bool Writable => fd != 0;

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
        => fd == 0 ? 0 : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");

    public override int Write(ReadOnlySpan<byte> data)
    {
        if (fd == 0)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        // Decoded a bounded chunk at a time: a huge write never becomes one huge .NET string.
        var output = CallContext.Current?.Output ?? sink();
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(Math.Min(data.Length, Chunk))];
        for (var offset = 0; offset < data.Length; offset += Chunk)
        {
            var part = data.Slice(offset, Math.Min(Chunk, data.Length - offset));
            int n;
            lock (_decoder)
            {
                n = _decoder.GetChars(part, chars, flush: false);
            }

            output.Write(fd, chars.AsSpan(0, n));
        }

        return data.Length;
    }

    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, 0x1B6, now, now, now);
    }

    protected override void Dispose()
    {
    }
}

/// <summary><c>/dev/null</c>: reads at end of file, writes discarded.</summary>
internal sealed class NullFile : OpenFile
{
    public override bool Readable => true;

    public override bool Writable => true;

    public override string? Path => "/dev/null";

    public override bool Pollable => false;

    public override int Read(Span<byte> buffer, CancellationToken cancellationToken) => 0;

    public override int Write(ReadOnlySpan<byte> data) => data.Length;

    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, 0x1B6, now, now, now);
    }

    protected override void Dispose()
    {
    }
}
