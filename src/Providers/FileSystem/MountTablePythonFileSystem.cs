using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <summary>
/// Composes several file systems into one name space: each is mounted at a path, and a path is
/// served by the mount with the longest matching prefix, re-rooted at <c>/</c> for that file system.
/// </summary>
/// <remarks>
/// <para>
/// The root and every ancestor of a mount point exist: when no mounted file system has such a
/// directory, it is synthesised (read-only, mode <c>0o555</c>), and listing it shows the mount
/// points below it. Mount points always list as directories. A path that is neither mounted nor
/// an ancestor of a mount point does not exist (<c>ENOENT</c>); creating an entry directly in a
/// synthesised directory fails with <c>EROFS</c>.
/// </para>
/// <para>
/// Renaming across mounts fails with <c>EXDEV</c>; deleting or renaming a mount point or one of
/// its ancestors fails with <c>EBUSY</c>. Symbolic links are resolved by each mounted file system
/// in its own name space; their texts are returned unchanged.
/// </para>
/// </remarks>
public sealed class MountTablePythonFileSystem : IPythonFileSystem
{
    private const int SyntheticMode = 0x16D;

    private static readonly PythonFileStatus SyntheticDirectory =
        new(PythonFileKind.Directory, 0, SyntheticMode, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { LinkCount = 2 };

    private readonly PythonMount[] _byLongestPath;

    /// <summary>Initializes a new instance of the <see cref="MountTablePythonFileSystem"/> class.</summary>
    /// <param name="mounts">The mounts; each path is absolute and normalised, and appears once.</param>
    /// <exception cref="ArgumentException">A mount path is not absolute and normalised, or appears twice.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="mounts"/>, a mount or its file system is <see langword="null"/>.</exception>
    public MountTablePythonFileSystem(IEnumerable<PythonMount> mounts)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        var list = new List<PythonMount>();
        foreach (var mount in mounts)
        {
            ArgumentNullException.ThrowIfNull(mount, nameof(mounts));
            ArgumentNullException.ThrowIfNull(mount.FileSystem, nameof(mounts));
            if (!PythonPath.IsNormalized(mount.Path))
            {
                throw new ArgumentException($"The mount path '{mount.Path}' is not an absolute, normalised POSIX path.", nameof(mounts));
            }

            if (list.Exists(m => m.Path == mount.Path))
            {
                throw new ArgumentException($"The mount path '{mount.Path}' appears more than once.", nameof(mounts));
            }

            list.Add(mount);
        }

        Mounts = list.AsReadOnly();
        _byLongestPath = [.. list.OrderByDescending(static m => m.Path.Length)];
    }

    /// <summary>Initializes a new instance of the <see cref="MountTablePythonFileSystem"/> class.</summary>
    /// <param name="mounts">The mounts; each path is absolute and normalised, and appears once.</param>
    /// <exception cref="ArgumentException">A mount path is not absolute and normalised, or appears twice.</exception>
    public MountTablePythonFileSystem(params PythonMount[] mounts)
        : this((IEnumerable<PythonMount>)mounts)
    {
    }

    /// <summary>Gets the mounts, in the order given.</summary>
    public IReadOnlyList<PythonMount> Mounts { get; }

    /// <inheritdoc/>
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        var status = Find(path) is { } target ? target.Mount.FileSystem.GetStatus(target.InnerPath, followSymbolicLinks) : null;
        if (IsStructural(path) && status?.Kind != PythonFileKind.Directory)
        {
            // Mount points and their ancestors are directories, whatever lies beneath them.
            return SyntheticDirectory;
        }

        return status;
    }

    /// <inheritdoc/>
    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        PythonPath.Validate(path);
        if (IsStructural(path) && !IsMountPoint(path))
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        if (Find(path) is { } target)
        {
            return target.Mount.FileSystem.Open(target.InnerPath, flags, mode);
        }

        if ((flags & PythonOpenFlags.Create) != 0 && IsInSyntheticDirectory(path))
        {
            throw FileSystemErrors.Create(Errno.EROFS, path);
        }

        throw FileSystemErrors.FileNotFound(path);
    }

    /// <inheritdoc/>
    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        PythonPath.Validate(path);
        var mountNames = ChildMountNames(path);
        IReadOnlyList<PythonDirectoryEntry> inner = [];
        if (Find(path) is { } target)
        {
            try
            {
                inner = target.Mount.FileSystem.ReadDirectory(target.InnerPath);
            }
            catch (Exception e) when (mountNames.Count > 0 && IsNotFoundOrNotDirectory(e))
            {
                // A synthesised ancestor of a mount point: only the mount points are listed.
            }
        }
        else if (mountNames.Count == 0 && path.Length > 1)
        {
            throw FileSystemErrors.DirectoryNotFound(path);
        }

        if (mountNames.Count == 0)
        {
            return inner;
        }

        var entries = inner.Where(e => !mountNames.Contains(e.Name)).ToList();
        entries.AddRange(mountNames.Select(static name => new PythonDirectoryEntry(name, PythonFileKind.Directory)));
        return entries;
    }

    /// <inheritdoc/>
    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        PythonPath.Validate(path);
        if (IsStructural(path))
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        var target = FindForCreate(path);
        target.Mount.FileSystem.CreateDirectory(target.InnerPath, mode);
    }

    /// <inheritdoc/>
    public void DeleteDirectory(string path)
    {
        PythonPath.Validate(path);
        if (IsStructural(path))
        {
            throw FileSystemErrors.Create(Errno.EBUSY, path);
        }

        var target = FindExisting(path);
        target.Mount.FileSystem.DeleteDirectory(target.InnerPath);
    }

    /// <inheritdoc/>
    public void DeleteFile(string path)
    {
        PythonPath.Validate(path);
        if (IsStructural(path))
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        var target = FindExisting(path);
        target.Mount.FileSystem.DeleteFile(target.InnerPath);
    }

    /// <inheritdoc/>
    public void Rename(string source, string destination, bool replace = true)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        if (IsStructural(source) || IsStructural(destination))
        {
            throw FileSystemErrors.Create(Errno.EBUSY, source, destination);
        }

        var from = FindExisting(source);
        if (Find(destination) is not { } to || !ReferenceEquals(from.Mount, to.Mount))
        {
            throw FileSystemErrors.Create(Errno.EXDEV, source, destination);
        }

        from.Mount.FileSystem.Rename(from.InnerPath, to.InnerPath, replace);
    }

    /// <inheritdoc/>
    public void CreateSymbolicLink(string path, string target)
    {
        PythonPath.Validate(path);
        ArgumentNullException.ThrowIfNull(target);
        if (IsStructural(path))
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        var found = FindForCreate(path);
        found.Mount.FileSystem.CreateSymbolicLink(found.InnerPath, target);
    }

    /// <inheritdoc/>
    /// <remarks>Both paths must be in the same mount (<c>EXDEV</c> otherwise), whose file system makes the link.</remarks>
    public void CreateHardLink(string source, string destination)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        if (IsStructural(destination))
        {
            throw FileSystemErrors.Create(Errno.EEXIST, destination);
        }

        if (IsStructural(source))
        {
            throw FileSystemErrors.Create(Errno.EPERM, source, destination);
        }

        var from = FindExisting(source);
        var to = FindForCreate(destination);
        if (!ReferenceEquals(from.Mount, to.Mount))
        {
            throw FileSystemErrors.Create(Errno.EXDEV, source, destination);
        }

        from.Mount.FileSystem.CreateHardLink(from.InnerPath, to.InnerPath);
    }

    /// <inheritdoc/>
    public string ReadSymbolicLink(string path)
    {
        PythonPath.Validate(path);
        if (IsStructural(path))
        {
            throw FileSystemErrors.Create(Errno.EINVAL, path);
        }

        var target = FindExisting(path);
        return target.Mount.FileSystem.ReadSymbolicLink(target.InnerPath);
    }

    /// <inheritdoc/>
    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        var target = FindForChange(path);
        target.Mount.FileSystem.SetTimes(target.InnerPath, accessTime, modificationTime, followSymbolicLinks);
    }

    /// <inheritdoc/>
    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        var target = FindForChange(path);
        target.Mount.FileSystem.SetMode(target.InnerPath, mode, followSymbolicLinks);
    }

    /// <inheritdoc/>
    public string? GetHostPath(string path)
    {
        PythonPath.Validate(path);
        return Find(path) is { } target ? target.Mount.FileSystem.GetHostPath(target.InnerPath) : null;
    }

    private static bool IsNotFoundOrNotDirectory(Exception e)
        => e is FileNotFoundException or DirectoryNotFoundException
            || (e is PythonIOException p && p.ErrorNumber is Errno.ENOENT or Errno.ENOTDIR);

    private (PythonMount Mount, string InnerPath)? Find(string path)
    {
        foreach (var mount in _byLongestPath)
        {
            // Mount paths are validated when the table is made, and every caller validates the path first.
            if (PythonPath.IsSameOrAncestorOfNormalized(mount.Path, path))
            {
                return (mount, PythonPath.GetRelativeOfNormalized(mount.Path, path));
            }
        }

        return null;
    }

    private (PythonMount Mount, string InnerPath) FindExisting(string path)
        => Find(path) ?? throw FileSystemErrors.Create(Errno.ENOENT, path);

    private (PythonMount Mount, string InnerPath) FindForCreate(string path)
        => Find(path) ?? throw FileSystemErrors.Create(IsInSyntheticDirectory(path) ? Errno.EROFS : Errno.ENOENT, path);

    private (PythonMount Mount, string InnerPath) FindForChange(string path)
    {
        if (Find(path) is { } target && target.Mount.FileSystem.GetStatus(target.InnerPath, followSymbolicLinks: false) is not null)
        {
            return target;
        }

        throw FileSystemErrors.Create(IsStructural(path) ? Errno.EROFS : Errno.ENOENT, path);
    }

    /// <summary>Gets a value indicating whether <paramref name="path"/> is the root, a mount point or an ancestor of one.</summary>
    private bool IsStructural(string path)
    {
        if (path.Length == 1)
        {
            return true;
        }

        foreach (var mount in _byLongestPath)
        {
            if (PythonPath.IsSameOrAncestorOfNormalized(path, mount.Path))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsMountPoint(string path)
    {
        foreach (var mount in _byLongestPath)
        {
            if (mount.Path == path)
            {
                return true;
            }
        }

        return false;
    }

    private bool IsInSyntheticDirectory(string path)
    {
        var parent = PythonPath.GetParent(path);
        return parent is not null && IsStructural(parent) && Find(parent) is null;
    }

    private HashSet<string> ChildMountNames(string path)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in _byLongestPath)
        {
            if (mount.Path != path && PythonPath.IsSameOrAncestor(path, mount.Path))
            {
                var rest = PythonPath.GetRelative(path, mount.Path);
                names.Add(rest[1..].Split('/')[0]);
            }
        }

        return names;
    }
}
