using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <summary>
/// The file system that Python code sees in the Managed backend. Every file operation of the
/// Python code (<c>open</c>, <c>os.stat</c>, <c>os.listdir</c>, imports from module paths, ...)
/// is served by this interface after the runtime has checked its permissions.
/// </summary>
/// <remarks>
/// <para>
/// Paths are always absolute, normalised POSIX paths (<c>/</c> separated, no <c>.</c> or
/// <c>..</c> segments, no trailing slash except for the root). The runtime resolves the
/// emulated working directory before calling the provider. <see cref="PythonPath"/> validates and
/// builds such paths; the stock implementations throw <see cref="ArgumentException"/> for any other path.
/// </para>
/// <para>
/// Errors are reported with exceptions and mapped to <c>errno</c> values for Python:
/// <see cref="FileNotFoundException"/> and <see cref="DirectoryNotFoundException"/> map to
/// <c>ENOENT</c>, <see cref="UnauthorizedAccessException"/> to <c>EACCES</c>, and
/// <see cref="PythonIOException"/> to its <see cref="PythonIOException.ErrorNumber"/>
/// (use it for <c>EEXIST</c>, <c>ENOTEMPTY</c>, <c>EISDIR</c>, <c>ENOTDIR</c>, <c>EXDEV</c>,
/// <c>EROFS</c>, <c>ENOSPC</c>, ...). Any other exception becomes <c>EIO</c> and is logged.
/// Implementations must be thread-safe.
/// </para>
/// </remarks>
public interface IPythonFileSystem
{
    /// <summary>Gets the status of a file system entry, or <see langword="null"/> when it does not exist.</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <param name="followSymbolicLinks"><see langword="true"/> for <c>stat</c>, <see langword="false"/> for <c>lstat</c>.</param>
    /// <returns>The status, or <see langword="null"/> when no entry exists (<c>ENOENT</c>).</returns>
    /// <exception cref="PythonIOException">A parent is not a directory (<c>ENOTDIR</c>) or another error occurred.</exception>
    /// <exception cref="UnauthorizedAccessException">The entry may not be inspected (<c>EACCES</c>).</exception>
    PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true);

    /// <summary>Opens a regular file as a stream.</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <param name="flags">How to open: access, creation and truncation flags.</param>
    /// <param name="mode">The permission bits for a file that is created (already masked by the emulated umask).</param>
    /// <returns>A stream positioned at 0 (or at the end for <see cref="PythonOpenFlags.Append"/>); it must support reading and/or writing as requested, and should support seeking.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist and <see cref="PythonOpenFlags.Create"/> was not given (<c>ENOENT</c>).</exception>
    /// <exception cref="PythonIOException"><c>EEXIST</c> for an exclusive create of an existing file, <c>EISDIR</c> for a directory, <c>EROFS</c> for writes to a read-only file system, <c>ENOSPC</c> when full.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be opened as requested (<c>EACCES</c>).</exception>
    Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6);

    /// <summary>Lists the entries of a directory, without <c>.</c> and <c>..</c>.</summary>
    /// <param name="path">The absolute, normalised path of a directory.</param>
    /// <returns>The entries, in no particular order.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist (<c>ENOENT</c>).</exception>
    /// <exception cref="PythonIOException"><c>ENOTDIR</c> when the path is not a directory.</exception>
    IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path);

    /// <summary>Creates one directory; its parent must exist.</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <param name="mode">The permission bits (already masked by the emulated umask).</param>
    /// <exception cref="PythonIOException"><c>EEXIST</c> when an entry exists, <c>ENOENT</c> when the parent is missing, <c>EROFS</c>, <c>ENOSPC</c>.</exception>
    void CreateDirectory(string path, int mode = 0x1FF);

    /// <summary>Deletes an empty directory.</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <exception cref="PythonIOException"><c>ENOTEMPTY</c>, <c>ENOTDIR</c>, <c>ENOENT</c>, <c>EROFS</c>, <c>EBUSY</c> for a mount point.</exception>
    void DeleteDirectory(string path);

    /// <summary>Deletes a file or a symbolic link (never a directory).</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <exception cref="PythonIOException"><c>ENOENT</c>, <c>EISDIR</c> for a directory, <c>EROFS</c>.</exception>
    void DeleteFile(string path);

    /// <summary>Renames an entry, atomically replacing the destination when <paramref name="replace"/> allows it (POSIX <c>rename</c>).</summary>
    /// <param name="source">The absolute, normalised path of the existing entry.</param>
    /// <param name="destination">The absolute, normalised new path.</param>
    /// <param name="replace">Whether an existing destination file or empty directory may be replaced.</param>
    /// <exception cref="PythonIOException"><c>ENOENT</c>, <c>EEXIST</c>, <c>EXDEV</c> across mounts, <c>EISDIR</c>/<c>ENOTDIR</c> for kind mismatches, <c>ENOTEMPTY</c>, <c>EROFS</c>.</exception>
    void Rename(string source, string destination, bool replace = true);

    /// <summary>Creates a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/>.</summary>
    /// <param name="path">The absolute, normalised path of the link.</param>
    /// <param name="target">The link text, stored as given (relative or absolute, in the runtime's name space).</param>
    /// <exception cref="PythonIOException"><c>EEXIST</c>, <c>ENOENT</c>, <c>EROFS</c>, <c>EPERM</c> when links are not supported.</exception>
    void CreateSymbolicLink(string path, string target);

    /// <summary>
    /// Creates a hard link: a second name, <paramref name="destination"/>, for the existing entry
    /// <paramref name="source"/> (POSIX <c>link</c>). A final symbolic link in <paramref name="source"/> is
    /// not followed (the link itself gets the new name); the runtime follows it beforehand when Python asks to.
    /// </summary>
    /// <remarks>
    /// Optional: the default implementation refuses with <c>EPERM</c>, as POSIX does on a file system without
    /// hard links. Both paths are in this file system; the runtime refuses a link across mounts with
    /// <c>EXDEV</c> before calling a provider. An implementation must never give a name inside its root to an
    /// entry outside it.
    /// </remarks>
    /// <param name="source">The absolute, normalised path of the existing entry.</param>
    /// <param name="destination">The absolute, normalised path of the new name; nothing may exist there.</param>
    /// <exception cref="PythonIOException">
    /// <c>ENOENT</c> when <paramref name="source"/> or the parent of <paramref name="destination"/> is missing,
    /// <c>EEXIST</c> when <paramref name="destination"/> exists, <c>EPERM</c> for a directory or when hard links are
    /// not supported, <c>EXDEV</c> when the two paths are on different devices, <c>EROFS</c>, <c>ENOSPC</c>.
    /// </exception>
    void CreateHardLink(string source, string destination)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        throw FileSystemErrors.Create(Errno.EPERM, source, destination);
    }

    /// <summary>Reads the text of a symbolic link.</summary>
    /// <param name="path">The absolute, normalised path of the link.</param>
    /// <returns>The link text.</returns>
    /// <exception cref="PythonIOException"><c>EINVAL</c> when the entry is not a link, <c>ENOENT</c>.</exception>
    string ReadSymbolicLink(string path);

    /// <summary>Sets access and modification times.</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <param name="accessTime">The new access time, or <see langword="null"/> to leave it.</param>
    /// <param name="modificationTime">The new modification time, or <see langword="null"/> to leave it.</param>
    /// <param name="followSymbolicLinks">Whether a final symbolic link is followed.</param>
    /// <exception cref="PythonIOException"><c>ENOENT</c>, <c>EROFS</c>.</exception>
    void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true);

    /// <summary>Sets the permission bits (the low 12 bits of a POSIX mode).</summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <param name="mode">The permission bits.</param>
    /// <param name="followSymbolicLinks">Whether a final symbolic link is followed.</param>
    /// <exception cref="PythonIOException"><c>ENOENT</c>, <c>EROFS</c>, <c>EPERM</c>.</exception>
    void SetMode(string path, int mode, bool followSymbolicLinks = true);

    /// <summary>
    /// Maps a path of this file system to a directory or file on the host, for the process
    /// provider (a child's working directory must exist on the host).
    /// </summary>
    /// <param name="path">The absolute, normalised path.</param>
    /// <returns>The host path, or <see langword="null"/> when the entry has no host counterpart (for example in memory).</returns>
    string? GetHostPath(string path) => null;
}
