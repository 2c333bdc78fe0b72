using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The runtime's virtual file descriptors. Numbers are allocated lowest-first as POSIX does; they
/// name entries in this table only, never a descriptor of the host process, so native code cannot use them.
/// </summary>
/// <remarks>
/// A slot array: changes take the lock, a lookup (every read, write, status and close of a descriptor) reads its
/// slot without it. A lookup racing a close may see the file that is being closed, as it could with a lock taken
/// just before the close.
/// </remarks>
internal sealed class FdTable
{
    public const int MaxDescriptors = 1024;

    private readonly OpenFile?[] _slots = new OpenFile?[MaxDescriptors];
    private readonly Lock _gate = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Add(OpenFile file, int lowest = 0)
    {
        lock (_gate)
        {
            for (var fd = Math.Max(lowest, 0); fd < MaxDescriptors; fd++)
            {
                if (_slots[fd] is null)
                {
                    Volatile.Write(ref _slots[fd], file);
                    _count++;
                    return fd;
                }
            }
        }

        file.Release();
        throw new PythonIOException(Errno.EMFILE, "Too many open files");
    }

    public OpenFile Get(int fd)
        => Lookup(fd) ?? throw new PythonIOException(Errno.EBADF, "Bad file descriptor");

    public bool TryGet(int fd, out OpenFile? file)
    {
        file = Lookup(fd);
        return file is not null;
    }

    public void Close(int fd)
    {
        OpenFile? file;
        lock (_gate)
        {
            file = Lookup(fd) ?? throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            Volatile.Write(ref _slots[fd], null);
            _count--;
        }

        file.Release();
    }

    /// <summary>Closes every descriptor in [low, high) that is open; returns how many.</summary>
    public int CloseRange(int low, int high)
    {
        List<OpenFile> closed = [];
        lock (_gate)
        {
            for (var fd = Math.Max(low, 0); fd < Math.Min(high, MaxDescriptors); fd++)
            {
                if (_slots[fd] is { } file)
                {
                    closed.Add(file);
                    Volatile.Write(ref _slots[fd], null);
                    _count--;
                }
            }
        }

        foreach (var file in closed)
        {
            file.Release();
        }

        return closed.Count;
    }

    public int Dup(int fd, int lowest = 0)
    {
        var file = Get(fd);
        file.AddReference();
        return Add(file, lowest);
    }

    public int Dup2(int fd, int target)
    {
        if (target is < 0 or >= MaxDescriptors)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        OpenFile? replaced;
        lock (_gate)
        {
            var file = Lookup(fd) ?? throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            if (fd == target)
            {
                return target;
            }

            file.AddReference();
            replaced = _slots[target];
            if (replaced is null)
            {
                _count++;
            }

            Volatile.Write(ref _slots[target], file);
        }

        replaced?.Release();
        return target;
    }

    private OpenFile? Lookup(int fd) => (uint)fd < MaxDescriptors ? Volatile.Read(ref _slots[fd]) : null;
}
