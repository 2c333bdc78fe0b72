using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <summary>
/// A decorator that makes another file system read-only: reads pass through to the inner file
/// system; every mutation, and every <see cref="Open"/> that asks to write, create, truncate or
/// append, throws <see cref="PythonIOException"/> with <c>EROFS</c> without calling the inner file system.
/// </summary>
public sealed class ReadOnlyPythonFileSystem : PythonFileSystemBase
{
    private readonly IPythonFileSystem _inner;

    /// <summary>Initializes a new instance of the <see cref="ReadOnlyPythonFileSystem"/> class.</summary>
    /// <param name="inner">The file system to expose read-only.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    public ReadOnlyPythonFileSystem(IPythonFileSystem inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <inheritdoc/>
    public override PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
        => _inner.GetStatus(path, followSymbolicLinks);

    /// <inheritdoc/>
    /// <exception cref="PythonIOException"><c>EROFS</c> when <paramref name="flags"/> ask to write, create, truncate or append.</exception>
    public override Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        PythonPath.Validate(path);
        if (RequestsWrite(flags))
        {
            throw Error(Errno.EROFS, path);
        }

        var stream = _inner.Open(path, flags, mode);

        // The inner stream was opened for reading only, but an implementation may still hand out
        // a writable stream; never let a write through.
        return stream.CanWrite ? new ReadOnlyStreamWrapper(stream) : stream;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => _inner.ReadDirectory(path);

    /// <inheritdoc/>
    public override string ReadSymbolicLink(string path) => _inner.ReadSymbolicLink(path);

    /// <inheritdoc/>
    /// <remarks>Returns the inner file system's host path: a child process started there is not restricted by this decorator.</remarks>
    public override string? GetHostPath(string path) => _inner.GetHostPath(path);
}
