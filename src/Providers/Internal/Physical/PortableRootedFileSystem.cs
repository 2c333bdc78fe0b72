using System.Text;

namespace PyHosting.Providers.Internal.Physical;

/// <summary>
/// The portable implementation of <see cref="PhysicalPythonFileSystem"/>, for platforms without
/// <c>openat2</c>: each path is resolved component by component inside the root (absolute link
/// targets start again at the root, <c>..</c> stops at it, at most 40 links), then the operation
/// runs on the resulting host path. A link swapped between the check and the use can still be
/// followed by the host; the Linux implementation has no such window.
/// </summary>
internal sealed partial class PortableRootedFileSystem(string hostRoot) : IPythonFileSystem
{
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => Guard(path, () =>
    {
        try
        {
            return StatusOf(Resolve(path, followSymbolicLinks));
        }
        catch (PythonIOException e) when (e.ErrorNumber == Errno.ENOENT)
        {
            return null;
        }
    });

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6) => Guard(path, Stream () =>
    {
        var create = (flags & PythonOpenFlags.Create) != 0;
        var exclusive = create && (flags & PythonOpenFlags.Exclusive) != 0;
        var host = Resolve(path, followFinal: !exclusive, NotFoundKind.File);
        var existing = LinkTargetOf(host) is not null || File.Exists(host) || Directory.Exists(host);
        if (Directory.Exists(host) && !exclusive)
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        if (existing && exclusive)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        if (!existing && !create)
        {
            throw FileSystemErrors.FileNotFound(path);
        }

        var canWrite = (flags & (PythonOpenFlags.Write | PythonOpenFlags.Append)) != 0;
        var canRead = (flags & PythonOpenFlags.Read) != 0 || !canWrite;
        if (existing && (flags & PythonOpenFlags.Truncate) != 0 && !canWrite)
        {
            using (new FileStream(host, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }
        }

        var options = new FileStreamOptions
        {
            Mode = exclusive ? FileMode.CreateNew
                : create ? ((flags & PythonOpenFlags.Truncate) != 0 && canWrite ? FileMode.Create : FileMode.OpenOrCreate)
                : (flags & PythonOpenFlags.Truncate) != 0 && canWrite ? FileMode.Truncate : FileMode.Open,
            Access = canRead && canWrite ? FileAccess.ReadWrite : canWrite ? FileAccess.Write : FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        var stream = new FileStream(host, options);
        if (!existing && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, (UnixFileMode)(mode & 0xFFF));
        }

        if ((flags & PythonOpenFlags.Append) != 0)
        {
            stream.Seek(0, SeekOrigin.End);
            return new AppendingStream(stream);
        }

        return stream;
    });

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => Guard(path, () =>
    {
        var host = Resolve(path, followFinal: true, NotFoundKind.Directory);
        if (!Directory.Exists(host))
        {
            throw File.Exists(host) ? FileSystemErrors.Create(Errno.ENOTDIR, path) : FileSystemErrors.DirectoryNotFound(path);
        }

        return (IReadOnlyList<PythonDirectoryEntry>)[.. new DirectoryInfo(host).EnumerateFileSystemInfos().Select(static info =>
            new PythonDirectoryEntry(info.Name, info.LinkTarget is not null ? PythonFileKind.SymbolicLink
                : info is DirectoryInfo ? PythonFileKind.Directory : PythonFileKind.File))];
    });

    public void CreateDirectory(string path, int mode = 0x1FF) => Guard(path, () =>
    {
        var host = ResolveForCreate(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(host);
        }
        else
        {
            Directory.CreateDirectory(host, (UnixFileMode)(mode & 0xFFF));
            File.SetUnixFileMode(host, (UnixFileMode)(mode & 0xFFF));
        }
    });

    public void DeleteDirectory(string path) => Guard(path, () =>
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, path);
        }

        var host = ResolveExisting(path);
        if (LinkTargetOf(host) is not null || !Directory.Exists(host))
        {
            throw FileSystemErrors.Create(Errno.ENOTDIR, path);
        }

        if (Directory.EnumerateFileSystemEntries(host).Any())
        {
            throw FileSystemErrors.Create(Errno.ENOTEMPTY, path);
        }

        Directory.Delete(host);
    });

    public void DeleteFile(string path) => Guard(path, () =>
    {
        var host = ResolveExisting(path);
        if (LinkTargetOf(host) is null && Directory.Exists(host))
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        File.Delete(host);
    });

    public void Rename(string source, string destination, bool replace = true) => Guard(source, () =>
    {
        if (source == PythonPath.Root || destination == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, source, destination);
        }

        var from = ResolveExisting(source);
        var to = Resolve(destination, followFinal: false);
        var fromIsDirectory = IsRealDirectory(from);
        if (from == to)
        {
            return;
        }

        if (fromIsDirectory && to.StartsWith(from + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw FileSystemErrors.Create(Errno.EINVAL, source, destination);
        }

        var toExists = LinkTargetOf(to) is not null || File.Exists(to) || Directory.Exists(to);
        if (toExists)
        {
            var toIsDirectory = IsRealDirectory(to);
            var errno = !replace ? Errno.EEXIST
                : fromIsDirectory && !toIsDirectory ? Errno.ENOTDIR
                : !fromIsDirectory && toIsDirectory ? Errno.EISDIR
                : toIsDirectory && Directory.EnumerateFileSystemEntries(to).Any() ? Errno.ENOTEMPTY
                : 0;
            if (errno != 0)
            {
                throw FileSystemErrors.Create(errno, source, destination);
            }

            if (toIsDirectory)
            {
                Directory.Delete(to);
            }
        }

        if (fromIsDirectory)
        {
            Directory.Move(from, to);
        }
        else
        {
            File.Move(from, to, overwrite: true);
        }
    });

    public void CreateSymbolicLink(string path, string target) => Guard(path, () =>
    {
        ArgumentNullException.ThrowIfNull(target);
        var host = ResolveForCreate(path);
        if (target.Length == 0)
        {
            throw FileSystemErrors.Create(Errno.ENOENT, path);
        }

        File.CreateSymbolicLink(host, target);
    });

    public string ReadSymbolicLink(string path) => Guard(path, () =>
        LinkTargetOf(ResolveExisting(path)) ?? throw FileSystemErrors.Create(Errno.EINVAL, path));

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true) => Guard(path, () =>
    {
        var host = ResolveExistingForChange(path, followSymbolicLinks);
        if (accessTime is { } access)
        {
            File.SetLastAccessTimeUtc(host, access.UtcDateTime);
        }

        if (modificationTime is { } modification)
        {
            File.SetLastWriteTimeUtc(host, modification.UtcDateTime);
        }
    });

    public void SetMode(string path, int mode, bool followSymbolicLinks = true) => Guard(path, () =>
    {
        var host = ResolveExistingForChange(path, followSymbolicLinks);
        if (OperatingSystem.IsWindows())
        {
            throw FileSystemErrors.Create(Errno.EPERM, path);
        }

        File.SetUnixFileMode(host, (UnixFileMode)(mode & 0xFFF));
    });

    public string? GetHostPath(string path)
    {
        try
        {
            return Resolve(path, followFinal: true);
        }
        catch (IOException)
        {
            return Join([.. PythonPath.GetSegments(path)]);
        }
    }

    private static PythonFileStatus? StatusOf(string host)
    {
        var link = LinkTargetOf(host);
        FileSystemInfo info = link is null && Directory.Exists(host) ? new DirectoryInfo(host) : new FileInfo(host);
        if (link is null && !info.Exists)
        {
            return null;
        }

        var kind = link is not null ? PythonFileKind.SymbolicLink
            : info is DirectoryInfo ? PythonFileKind.Directory : PythonFileKind.File;
        var size = kind switch
        {
            PythonFileKind.SymbolicLink => Encoding.UTF8.GetByteCount(link!),
            PythonFileKind.File => ((FileInfo)info).Length,
            _ => 4096,
        };
        var mode = kind == PythonFileKind.SymbolicLink ? 0x1FF
            : OperatingSystem.IsWindows() ? (kind == PythonFileKind.Directory ? 0x1ED : 0x1A4)
            : (int)info.UnixFileMode;

        // No portable API exposes the status change time; the modification time stands in for it.
        var modification = new DateTimeOffset(info.LastWriteTimeUtc);
        return new PythonFileStatus(kind, size, mode, new DateTimeOffset(info.LastAccessTimeUtc), modification, modification)
        {
            LinkCount = kind == PythonFileKind.Directory ? 2 : 1,
        };
    }
}
