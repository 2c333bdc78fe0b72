using PyHosting.Providers.Internal;
using PyHosting.Providers.Internal.InMemory;

namespace PyHosting.Providers;

/// <summary>
/// A thread-safe file system held in memory, with directories, files, symbolic links, permission
/// bits, times from a <see cref="TimeProvider"/>, stable inode numbers and a hard quota on the bytes it stores.
/// </summary>
/// <remarks>
/// <para>
/// The quota counts file contents, symbolic link texts and entry names (UTF-8 bytes). A write,
/// truncation or creation that would exceed it throws <see cref="PythonIOException"/> with
/// <c>ENOSPC</c> and changes nothing, so a script cannot exhaust the host's memory. The content of
/// a file that is deleted while a stream is still open stays charged until the last stream closes.
/// </para>
/// <para>
/// Symbolic links are followed as on Linux (targets relative to the link's directory, absolute
/// targets from this file system's root, at most 40 links per lookup, then <c>ELOOP</c>).
/// Permission bits are stored and reported but not enforced: the runtime's permission model
/// decides what Python may do. The access time changes only through <see cref="SetTimes"/>
/// (as with <c>noatime</c>). Every open stream of a file shares its content.
/// </para>
/// </remarks>
public sealed class InMemoryPythonFileSystem : IPythonFileSystem
{
    /// <summary>The default quota: 64 MiB.</summary>
    public const long DefaultMaxTotalBytes = 64L * 1024 * 1024;

    private readonly MemoryStore _store;
    private readonly MemoryDirectory _root;

    /// <summary>Initializes a new instance of the <see cref="InMemoryPythonFileSystem"/> class, with an empty root directory (mode <c>0o755</c>).</summary>
    /// <param name="maxTotalBytes">The quota on stored bytes.</param>
    /// <param name="timeProvider">The clock for file times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTotalBytes"/> is negative.</exception>
    public InMemoryPythonFileSystem(long maxTotalBytes = DefaultMaxTotalBytes, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTotalBytes);
        _store = new MemoryStore(maxTotalBytes, timeProvider ?? TimeProvider.System);
        _root = new MemoryDirectory(_store, 0x1ED, parent: null);
        _root.Parent = _root;
    }

    /// <summary>Gets the quota on stored bytes.</summary>
    public long MaxTotalBytes => _store.MaxTotalBytes;

    /// <summary>Gets the bytes currently charged against the quota.</summary>
    public long UsedBytes => _store.UsedBytes;

    /// <inheritdoc/>
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            try
            {
                return Resolve(path, followSymbolicLinks).Node?.ToStatus();
            }
            catch (PythonIOException e) when (e.ErrorNumber == Errno.ENOENT)
            {
                return null;
            }
        }
    }

    /// <inheritdoc/>
    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        PythonPath.Validate(path);
        var canWrite = (flags & (PythonOpenFlags.Write | PythonOpenFlags.Append)) != 0;
        var canRead = (flags & PythonOpenFlags.Read) != 0 || !canWrite;
        var create = (flags & PythonOpenFlags.Create) != 0;
        var exclusive = create && (flags & PythonOpenFlags.Exclusive) != 0;
        lock (_store.Gate)
        {
            MemoryResolution resolution;
            try
            {
                // O_CREAT|O_EXCL never follows a final link: an existing link is EEXIST.
                resolution = Resolve(path, followFinal: !exclusive);
            }
            catch (PythonIOException e) when (e.ErrorNumber == Errno.ENOENT)
            {
                throw FileSystemErrors.FileNotFound(path);
            }

            MemoryFile file;
            switch (resolution.Node)
            {
                case null when !create:
                    throw FileSystemErrors.FileNotFound(path);
                case null:
                    file = new MemoryFile(_store, mode);
                    AddEntry(resolution.Parent!, resolution.Name, file, path);
                    break;
                case not null when exclusive:
                    throw FileSystemErrors.Create(Errno.EEXIST, path);
                case MemoryDirectory:
                    throw FileSystemErrors.Create(Errno.EISDIR, path);
                case MemoryFile existing:
                    file = existing;
                    if ((flags & PythonOpenFlags.Truncate) != 0 && file.Length > 0)
                    {
                        file.SetLength(0, path);
                    }

                    break;
                default:
                    throw FileSystemErrors.Create(Errno.ELOOP, path);
            }

            file.OpenCount++;
            return new MemoryFileStream(file, path, canRead, canWrite, append: (flags & PythonOpenFlags.Append) != 0);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            MemoryNode? node;
            try
            {
                node = Resolve(path, followFinal: true).Node;
            }
            catch (PythonIOException e) when (e.ErrorNumber == Errno.ENOENT)
            {
                throw FileSystemErrors.DirectoryNotFound(path);
            }

            return node switch
            {
                MemoryDirectory directory => [.. directory.Entries.Select(static e => new PythonDirectoryEntry(e.Key, e.Value.Kind))],
                null => throw FileSystemErrors.DirectoryNotFound(path),
                _ => throw FileSystemErrors.Create(Errno.ENOTDIR, path),
            };
        }
    }

    /// <inheritdoc/>
    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            var resolution = Resolve(path, followFinal: false);
            if (resolution.Node is not null)
            {
                throw FileSystemErrors.Create(Errno.EEXIST, path);
            }

            AddEntry(resolution.Parent!, resolution.Name, new MemoryDirectory(_store, mode, resolution.Parent), path);
        }
    }

    /// <inheritdoc/>
    public void DeleteDirectory(string path)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            var resolution = Resolve(path, followFinal: false);
            switch (resolution.Node)
            {
                case null:
                    throw FileSystemErrors.Create(Errno.ENOENT, path);
                case MemoryDirectory when resolution.Parent is null:
                    throw FileSystemErrors.Create(Errno.EBUSY, path);
                case MemoryDirectory { Entries.Count: > 0 }:
                    throw FileSystemErrors.Create(Errno.ENOTEMPTY, path);
                case MemoryDirectory:
                    RemoveEntry(resolution.Parent, resolution.Name);
                    break;
                default:
                    throw FileSystemErrors.Create(Errno.ENOTDIR, path);
            }
        }
    }

    /// <inheritdoc/>
    public void DeleteFile(string path)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            var resolution = Resolve(path, followFinal: false);
            switch (resolution.Node)
            {
                case null:
                    throw FileSystemErrors.Create(Errno.ENOENT, path);
                case MemoryDirectory:
                    throw FileSystemErrors.Create(Errno.EISDIR, path);
                default:
                    RemoveEntry(resolution.Parent!, resolution.Name);
                    break;
            }
        }
    }

    /// <inheritdoc/>
    public void Rename(string source, string destination, bool replace = true)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        lock (_store.Gate)
        {
            var from = Resolve(source, followFinal: false);
            var to = Resolve(destination, followFinal: false);
            var node = from.Node ?? throw FileSystemErrors.Create(Errno.ENOENT, source);
            if (from.Parent is null || to.Parent is null)
            {
                throw FileSystemErrors.Create(Errno.EBUSY, source, destination);
            }

            if (ReferenceEquals(node, to.Node))
            {
                return;
            }

            if (node is MemoryDirectory movedDirectory && movedDirectory.IsSameOrAncestorOf(to.Parent))
            {
                throw FileSystemErrors.Create(Errno.EINVAL, source, destination);
            }

            if (to.Node is not null)
            {
                CheckReplace(node, to.Node, replace, source, destination);
            }

            // Charge the new name before changing anything, so that ENOSPC leaves the tree intact.
            _store.Charge(MemoryStore.NameBytes(to.Name), destination);
            if (to.Node is not null)
            {
                RemoveEntry(to.Parent, to.Name);
            }

            from.Parent.Entries.Remove(from.Name);
            _store.Release(MemoryStore.NameBytes(from.Name));
            to.Parent.Entries[to.Name] = node;
            if (node is MemoryDirectory directory)
            {
                directory.Parent = to.Parent;
            }

            node.ChangeTime = _store.Now();
            from.Parent.Touch();
            to.Parent.Touch();
        }
    }

    /// <inheritdoc/>
    public void CreateSymbolicLink(string path, string target)
    {
        PythonPath.Validate(path);
        ArgumentNullException.ThrowIfNull(target);
        lock (_store.Gate)
        {
            var resolution = Resolve(path, followFinal: false);
            if (resolution.Node is not null)
            {
                throw FileSystemErrors.Create(Errno.EEXIST, path);
            }

            if (target.Length == 0)
            {
                throw FileSystemErrors.Create(Errno.ENOENT, path);
            }

            var link = new MemorySymbolicLink(_store, target);
            _store.Charge(link.ChargedBytes, path);
            try
            {
                AddEntry(resolution.Parent!, resolution.Name, link, path);
            }
            catch (PythonIOException)
            {
                _store.Release(link.ChargedBytes);
                throw;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Files and symbolic links can have several names; the content lives (and is charged once) until the last name is removed and the file is closed.</remarks>
    public void CreateHardLink(string source, string destination)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        lock (_store.Gate)
        {
            var from = Resolve(source, followFinal: false);
            var node = from.Node ?? throw FileSystemErrors.Create(Errno.ENOENT, source);
            if (node is MemoryDirectory)
            {
                throw FileSystemErrors.Create(Errno.EPERM, source, destination);
            }

            var to = Resolve(destination, followFinal: false);
            if (to.Node is not null || to.Parent is null)
            {
                throw FileSystemErrors.Create(Errno.EEXIST, destination);
            }

            AddEntry(to.Parent, to.Name, node, destination);
            node.NameCount++;
            node.ChangeTime = _store.Now();
        }
    }

    /// <inheritdoc/>
    public string ReadSymbolicLink(string path)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            return Resolve(path, followFinal: false).Node switch
            {
                MemorySymbolicLink link => link.Target,
                null => throw FileSystemErrors.Create(Errno.ENOENT, path),
                _ => throw FileSystemErrors.Create(Errno.EINVAL, path),
            };
        }
    }

    /// <inheritdoc/>
    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            var node = Resolve(path, followSymbolicLinks).Node ?? throw FileSystemErrors.Create(Errno.ENOENT, path);
            node.AccessTime = accessTime ?? node.AccessTime;
            node.ModificationTime = modificationTime ?? node.ModificationTime;
            node.ChangeTime = _store.Now();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="PythonIOException"><c>EOPNOTSUPP</c> for a symbolic link that is not followed, as on Linux.</exception>
    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        lock (_store.Gate)
        {
            var node = Resolve(path, followSymbolicLinks).Node ?? throw FileSystemErrors.Create(Errno.ENOENT, path);
            if (node is MemorySymbolicLink)
            {
                throw FileSystemErrors.Create(Errno.EOPNOTSUPP, path);
            }

            node.Mode = mode & 0xFFF;
            node.ChangeTime = _store.Now();
        }
    }

    private static void CheckReplace(MemoryNode node, MemoryNode existing, bool replace, string source, string destination)
    {
        if (!replace)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, source, destination);
        }

        switch (node, existing)
        {
            case (MemoryDirectory, not MemoryDirectory):
                throw FileSystemErrors.Create(Errno.ENOTDIR, source, destination);
            case (not MemoryDirectory, MemoryDirectory):
                throw FileSystemErrors.Create(Errno.EISDIR, source, destination);
            case (_, MemoryDirectory { Entries.Count: > 0 }):
                throw FileSystemErrors.Create(Errno.ENOTEMPTY, source, destination);
        }
    }

    private MemoryResolution Resolve(string path, bool followFinal) => MemoryPathResolver.Resolve(_root, path, followFinal);

    private void AddEntry(MemoryDirectory parent, string name, MemoryNode node, string path)
    {
        _store.Charge(MemoryStore.NameBytes(name), path);
        parent.Entries.Add(name, node);
        parent.Touch();
    }

    private void RemoveEntry(MemoryDirectory parent, string name)
    {
        var node = parent.Entries[name];
        parent.Entries.Remove(name);
        _store.Release(MemoryStore.NameBytes(name));
        if (--node.NameCount == 0)
        {
            node.Unlinked();
        }
        else
        {
            node.ChangeTime = _store.Now();
        }

        parent.Touch();
    }
}
