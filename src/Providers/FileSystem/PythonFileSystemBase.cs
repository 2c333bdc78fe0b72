using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <summary>
/// A base class for <see cref="IPythonFileSystem"/> implementations. Every member is virtual;
/// the defaults describe an empty, read-only file system, so a read-only or virtual file system
/// only overrides <see cref="GetStatus"/>, <see cref="Open"/> and <see cref="ReadDirectory"/>.
/// </summary>
/// <remarks>
/// <para>Defaults:</para>
/// <list type="bullet">
/// <item><description><see cref="GetStatus"/> throws <see cref="PythonIOException"/> with <c>ENOSYS</c>.</description></item>
/// <item><description><see cref="Open"/> throws <c>EROFS</c> when asked to write, create, truncate or append; otherwise it
/// consults <see cref="GetStatus"/>: <see cref="FileNotFoundException"/> for a missing entry, <c>EISDIR</c> for a directory, <c>ENOSYS</c> for anything else.</description></item>
/// <item><description><see cref="ReadDirectory"/> consults <see cref="GetStatus"/>: <see cref="DirectoryNotFoundException"/>, <c>ENOTDIR</c>, or <c>ENOSYS</c> for a directory.</description></item>
/// <item><description><see cref="ReadSymbolicLink"/> consults <see cref="GetStatus"/> without following links: <c>ENOENT</c>, <c>EINVAL</c> for an entry that is not a link, or <c>ENOSYS</c>.</description></item>
/// <item><description>Every mutation (<see cref="CreateDirectory"/>, <see cref="DeleteDirectory"/>, <see cref="DeleteFile"/>,
/// <see cref="Rename"/>, <see cref="CreateSymbolicLink"/>, <see cref="CreateHardLink"/>, <see cref="SetTimes"/>, <see cref="SetMode"/>) throws <c>EROFS</c>.</description></item>
/// <item><description><see cref="GetHostPath"/> returns <see langword="null"/>.</description></item>
/// </list>
/// <para>A writable implementation that lacks a feature should throw <c>EPERM</c> (for example for symbolic links) or <c>EOPNOTSUPP</c> instead of <c>EROFS</c>.</para>
/// </remarks>
public abstract class PythonFileSystemBase : IPythonFileSystem
{
    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>ENOSYS</c>; override it.</remarks>
    public virtual PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        throw NotImplemented(nameof(GetStatus));
    }

    /// <inheritdoc/>
    public virtual Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        PythonPath.Validate(path);
        if (RequestsWrite(flags))
        {
            throw Error(Errno.EROFS, path);
        }

        var status = GetStatus(path) ?? throw FileSystemErrors.FileNotFound(path);
        if (status.Kind == PythonFileKind.Directory)
        {
            throw Error(Errno.EISDIR, path);
        }

        throw NotImplemented(nameof(Open));
    }

    /// <inheritdoc/>
    public virtual IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        PythonPath.Validate(path);
        var status = GetStatus(path) ?? throw FileSystemErrors.DirectoryNotFound(path);
        if (status.Kind != PythonFileKind.Directory)
        {
            throw Error(Errno.ENOTDIR, path);
        }

        throw NotImplemented(nameof(ReadDirectory));
    }

    /// <inheritdoc/>
    public virtual string ReadSymbolicLink(string path)
    {
        PythonPath.Validate(path);
        var status = GetStatus(path, followSymbolicLinks: false) ?? throw Error(Errno.ENOENT, path);
        if (status.Kind != PythonFileKind.SymbolicLink)
        {
            throw Error(Errno.EINVAL, path);
        }

        throw NotImplemented(nameof(ReadSymbolicLink));
    }

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void CreateDirectory(string path, int mode = 0x1FF) => throw ReadOnly(path);

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void DeleteDirectory(string path) => throw ReadOnly(path);

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void DeleteFile(string path) => throw ReadOnly(path);

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void Rename(string source, string destination, bool replace = true)
    {
        PythonPath.Validate(destination);
        throw ReadOnly(source);
    }

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void CreateSymbolicLink(string path, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        throw ReadOnly(path);
    }

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void CreateHardLink(string source, string destination)
    {
        PythonPath.Validate(destination);
        throw ReadOnly(source);
    }

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
        => throw ReadOnly(path);

    /// <inheritdoc/>
    /// <remarks>The default throws <see cref="PythonIOException"/> with <c>EROFS</c>.</remarks>
    public virtual void SetMode(string path, int mode, bool followSymbolicLinks = true) => throw ReadOnly(path);

    /// <inheritdoc/>
    /// <remarks>The default returns <see langword="null"/>: the entries have no host counterpart.</remarks>
    public virtual string? GetHostPath(string path)
    {
        PythonPath.Validate(path);
        return null;
    }

    /// <summary>Gets a value indicating whether <paramref name="flags"/> ask to modify the file system or the file (write, create, truncate or append).</summary>
    /// <param name="flags">The open flags.</param>
    /// <returns><see langword="true"/> when the open would need a writable file system.</returns>
    public static bool RequestsWrite(PythonOpenFlags flags)
        => (flags & (PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate | PythonOpenFlags.Append)) != 0;

    /// <summary>Creates a <see cref="PythonIOException"/> for <paramref name="errorNumber"/> with the standard message for it.</summary>
    /// <param name="errorNumber">The POSIX error number (see <see cref="Errno"/>).</param>
    /// <param name="path">The path the error is about.</param>
    /// <returns>The exception, to throw.</returns>
    protected static PythonIOException Error(int errorNumber, string path) => FileSystemErrors.Create(errorNumber, path);

    private static PythonIOException ReadOnly(string path)
    {
        PythonPath.Validate(path);
        return FileSystemErrors.Create(Errno.EROFS, path);
    }

    private PythonIOException NotImplemented(string member)
        => new(Errno.ENOSYS, $"{GetType().Name} does not implement {member}.");
}
