using System.IO.Abstractions;
using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <summary>
/// Serves Python from a directory of a TestableIO <see cref="IFileSystem"/>, for example a
/// <c>MockFileSystem</c> in tests: the runtime path <c>/a/b</c> is <c>root/a/b</c> in that file system.
/// </summary>
/// <remarks>
/// <para>
/// Creating symbolic links is not supported (<c>EPERM</c>); links that already exist in the
/// underlying file system are reported by <c>lstat</c> and followed by the underlying implementation,
/// which does not confine them to the root. To serve a host directory to untrusted code, use
/// <see cref="PhysicalPythonFileSystem"/>. The status change time is reported as the modification time.
/// </para>
/// <para>Thread safety is that of the underlying file system; each check and operation is a separate call to it.</para>
/// </remarks>
public sealed partial class FileSystemAbstractionsPythonFileSystem : IPythonFileSystem
{
    private readonly IFileSystem _fileSystem;
    private readonly string _root;

    /// <summary>Initializes a new instance of the <see cref="FileSystemAbstractionsPythonFileSystem"/> class.</summary>
    /// <param name="fileSystem">The file system to serve.</param>
    /// <param name="root">The directory of <paramref name="fileSystem"/> that is the root <c>/</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fileSystem"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist in <paramref name="fileSystem"/>.</exception>
    public FileSystemAbstractionsPythonFileSystem(IFileSystem fileSystem, string root)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _fileSystem = fileSystem;
        _root = fileSystem.Path.TrimEndingDirectorySeparator(fileSystem.Path.GetFullPath(root));
        if (!fileSystem.Directory.Exists(_root))
        {
            throw new DirectoryNotFoundException($"The root directory '{_root}' does not exist.");
        }
    }

    /// <inheritdoc/>
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => Guard(path, PythonFileStatus? () =>
    {
        var host = Host(path);
        var isLink = !followSymbolicLinks && LinkTarget(host) is not null;
        IFileSystemInfo info = !isLink && _fileSystem.Directory.Exists(host) ? _fileSystem.DirectoryInfo.New(host) : _fileSystem.FileInfo.New(host);
        if (!isLink && !info.Exists)
        {
            return MissingErrno(path) == Errno.ENOTDIR ? throw FileSystemErrors.Create(Errno.ENOTDIR, path) : null;
        }

        var kind = isLink ? PythonFileKind.SymbolicLink : info is IDirectoryInfo ? PythonFileKind.Directory : PythonFileKind.File;
        var size = kind switch
        {
            PythonFileKind.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(info.LinkTarget!),
            PythonFileKind.File => ((IFileInfo)info).Length,
            _ => 4096,
        };
        var modification = new DateTimeOffset(info.LastWriteTimeUtc);
        return new PythonFileStatus(kind, size, ModeOf(host, kind), new DateTimeOffset(info.LastAccessTimeUtc), modification, modification)
        {
            LinkCount = kind == PythonFileKind.Directory ? 2 : 1,
        };
    });

    /// <inheritdoc/>
    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6) => Guard(path, Stream () =>
    {
        var host = Host(path);
        if (_fileSystem.Directory.Exists(host))
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        var create = (flags & PythonOpenFlags.Create) != 0;
        var exists = _fileSystem.File.Exists(host);
        if (exists && create && (flags & PythonOpenFlags.Exclusive) != 0)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        if (!exists)
        {
            var errno = MissingErrno(path);
            if (!create || errno == Errno.ENOTDIR)
            {
                throw FileSystemErrors.FromErrno(errno, path, NotFoundKind.File);
            }

            CheckParent(path);
        }

        var canWrite = (flags & (PythonOpenFlags.Write | PythonOpenFlags.Append)) != 0;
        var canRead = (flags & PythonOpenFlags.Read) != 0 || !canWrite;
        var truncate = exists && (flags & PythonOpenFlags.Truncate) != 0;
        if (truncate && !canWrite)
        {
            _fileSystem.File.WriteAllBytes(host, []);
        }

        var fileMode = !exists ? FileMode.CreateNew : truncate && canWrite ? FileMode.Truncate : FileMode.Open;
        var access = canRead && canWrite ? FileAccess.ReadWrite : canWrite ? FileAccess.Write : FileAccess.Read;
        var stream = _fileSystem.FileStream.New(host, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
        if (!exists && !OperatingSystem.IsWindows())
        {
            _fileSystem.File.SetUnixFileMode(host, (UnixFileMode)(mode & 0xFFF));
        }

        if ((flags & PythonOpenFlags.Append) != 0)
        {
            stream.Seek(0, SeekOrigin.End);
            return new AppendingStream(stream);
        }

        return stream;
    });

    /// <inheritdoc/>
    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => Guard(path, () =>
    {
        var host = Host(path);
        if (!_fileSystem.Directory.Exists(host))
        {
            throw _fileSystem.File.Exists(host) ? FileSystemErrors.Create(Errno.ENOTDIR, path)
                : FileSystemErrors.FromErrno(MissingErrno(path), path, NotFoundKind.Directory);
        }

        return (IReadOnlyList<PythonDirectoryEntry>)[.. _fileSystem.DirectoryInfo.New(host).EnumerateFileSystemInfos().Select(static info =>
            new PythonDirectoryEntry(info.Name, info.LinkTarget is not null ? PythonFileKind.SymbolicLink
                : info is IDirectoryInfo ? PythonFileKind.Directory : PythonFileKind.File))];
    });

    /// <inheritdoc/>
    public void CreateDirectory(string path, int mode = 0x1FF) => Guard(path, () =>
    {
        var host = Host(path);
        if (Exists(host))
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        CheckParent(path);
        _fileSystem.Directory.CreateDirectory(host);
        if (!OperatingSystem.IsWindows())
        {
            _fileSystem.File.SetUnixFileMode(host, (UnixFileMode)(mode & 0xFFF));
        }
    });

    /// <inheritdoc/>
    public void DeleteDirectory(string path) => Guard(path, () =>
    {
        var host = Host(path);
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, path);
        }

        if (!_fileSystem.Directory.Exists(host))
        {
            throw FileSystemErrors.Create(_fileSystem.File.Exists(host) ? Errno.ENOTDIR : MissingErrno(path), path);
        }

        if (_fileSystem.Directory.EnumerateFileSystemEntries(host).Any())
        {
            throw FileSystemErrors.Create(Errno.ENOTEMPTY, path);
        }

        _fileSystem.Directory.Delete(host);
    });

    /// <inheritdoc/>
    public void DeleteFile(string path) => Guard(path, () =>
    {
        var host = Host(path);
        if (_fileSystem.Directory.Exists(host) && LinkTarget(host) is null)
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        if (!_fileSystem.File.Exists(host) && LinkTarget(host) is null)
        {
            throw FileSystemErrors.Create(MissingErrno(path), path);
        }

        _fileSystem.File.Delete(host);
    });

    /// <inheritdoc/>
    public void Rename(string source, string destination, bool replace = true) => Guard(source, () =>
    {
        PythonPath.Validate(destination);
        if (source == PythonPath.Root || destination == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, source, destination);
        }

        var from = Host(source);
        var to = Host(destination);
        if (!Exists(from))
        {
            throw FileSystemErrors.Create(MissingErrno(source), source);
        }

        CheckParent(destination);
        if (from == to)
        {
            return;
        }

        var fromIsDirectory = _fileSystem.Directory.Exists(from);
        if (fromIsDirectory && PythonPath.IsSameOrAncestor(source, destination))
        {
            throw FileSystemErrors.Create(Errno.EINVAL, source, destination);
        }

        if (Exists(to))
        {
            var toIsDirectory = _fileSystem.Directory.Exists(to);
            var errno = !replace ? Errno.EEXIST
                : fromIsDirectory && !toIsDirectory ? Errno.ENOTDIR
                : !fromIsDirectory && toIsDirectory ? Errno.EISDIR
                : toIsDirectory && _fileSystem.Directory.EnumerateFileSystemEntries(to).Any() ? Errno.ENOTEMPTY
                : 0;
            if (errno != 0)
            {
                throw FileSystemErrors.Create(errno, source, destination);
            }

            if (toIsDirectory)
            {
                _fileSystem.Directory.Delete(to);
            }
        }

        if (fromIsDirectory)
        {
            _fileSystem.Directory.Move(from, to);
        }
        else
        {
            _fileSystem.File.Move(from, to, overwrite: true);
        }
    });

    /// <inheritdoc/>
    /// <exception cref="PythonIOException">Always: <c>EPERM</c>, links are not supported.</exception>
    public void CreateSymbolicLink(string path, string target)
    {
        PythonPath.Validate(path);
        ArgumentNullException.ThrowIfNull(target);
        throw FileSystemErrors.Create(Errno.EPERM, path);
    }

    /// <inheritdoc/>
    public string ReadSymbolicLink(string path) => Guard(path, () =>
    {
        var host = Host(path);
        return LinkTarget(host) ?? throw FileSystemErrors.Create(Exists(host) ? Errno.EINVAL : MissingErrno(path), path);
    });

    /// <inheritdoc/>
    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true) => Guard(path, () =>
    {
        var info = ExistingInfo(path);
        if (accessTime is { } access)
        {
            info.LastAccessTimeUtc = access.UtcDateTime;
        }

        if (modificationTime is { } modification)
        {
            info.LastWriteTimeUtc = modification.UtcDateTime;
        }
    });

    /// <inheritdoc/>
    public void SetMode(string path, int mode, bool followSymbolicLinks = true) => Guard(path, () =>
    {
        var host = ExistingInfo(path).FullName;
        if (OperatingSystem.IsWindows())
        {
            throw FileSystemErrors.Create(Errno.EPERM, path);
        }

        _fileSystem.File.SetUnixFileMode(host, (UnixFileMode)(mode & 0xFFF));
    });

    /// <inheritdoc/>
    /// <remarks>Always <see langword="null"/>: an abstraction has no host path a child process could use.</remarks>
    public string? GetHostPath(string path)
    {
        PythonPath.Validate(path);
        return null;
    }
}
