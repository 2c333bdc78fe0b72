using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The runtime's virtual file descriptors. Numbers are allocated lowest-first as POSIX does; they
/// name entries in this table only, never a descriptor of the host process, so native code cannot use them.
/// </summary>
internal sealed class FdTable
{
    public const int MaxDescriptors = 1024;

    private readonly Dictionary<int, OpenFile> _files = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _files.Count;
            }
        }
    }

    public int Add(OpenFile file, int lowest = 0)
    {
        lock (_gate)
        {
            for (var fd = lowest; fd < MaxDescriptors; fd++)
            {
                if (!_files.ContainsKey(fd))
                {
                    _files[fd] = file;
                    return fd;
                }
            }
        }

        file.Release();
        throw new PythonIOException(Errno.EMFILE, "Too many open files");
    }

    public OpenFile Get(int fd)
    {
        lock (_gate)
        {
            return _files.TryGetValue(fd, out var file) ? file : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }
    }

    public bool TryGet(int fd, out OpenFile? file)
    {
        lock (_gate)
        {
            return _files.TryGetValue(fd, out file);
        }
    }

    public void Close(int fd)
    {
        OpenFile? file;
        lock (_gate)
        {
            if (!_files.Remove(fd, out file))
            {
                throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            }
        }

        file.Release();
    }

    /// <summary>Closes every descriptor in [low, high) that is open; returns how many.</summary>
    public int CloseRange(int low, int high)
    {
        List<OpenFile> closed = [];
        lock (_gate)
        {
            foreach (var fd in _files.Keys.Where(k => k >= low && k < high).ToList())
            {
                closed.Add(_files[fd]);
                _files.Remove(fd);
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
            var file = _files.TryGetValue(fd, out var f) ? f : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            if (fd == target)
            {
                return target;
            }

            file.AddReference();
            _files.Remove(target, out replaced);
            _files[target] = file;
        }

        replaced?.Release();
        return target;
    }
}
