using PyHosting.Providers.Internal.Physical;

namespace PyHosting.Providers;

/// <summary>
/// A file system rooted at a host directory: the runtime path <c>/a/b</c> is <c>hostRoot/a/b</c>.
/// Neither <c>..</c> in link targets, nor absolute symbolic links, nor links pointing outside the
/// root can reach a host file outside the root: links are resolved as in a chroot (absolute targets
/// start at the root, <c>..</c> stops at it, at most 40 links per lookup, then <c>ELOOP</c>).
/// </summary>
/// <remarks>
/// <para>
/// On 64-bit Linux 5.6 and later, the kernel resolves every path (<c>openat2</c> with
/// <c>RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS</c> against a descriptor of the root), and every
/// operation works on descriptors, never following the final name unless asked, so a link swapped
/// while a call runs cannot escape either. Following a final link for <see cref="SetTimes"/> and
/// <see cref="SetMode"/> goes through <c>/proc/self/fd</c>, which must be mounted.
/// </para>
/// <para>
/// Elsewhere (other systems, older kernels, or a seccomp filter that refuses <c>openat2</c>) the
/// path is resolved component by component and the operation then runs on the host path; a link
/// swapped between the check and the use by another process can still be followed. <see cref="IsResolvedByKernel"/> tells which applies.
/// </para>
/// <para>
/// Permission bits and times come from the host file with full precision; files and directories
/// are created with exactly the requested bits (the host process's umask does not apply again).
/// Symbolic link texts are stored as given. The instance holds a descriptor of the root until disposed.
/// </para>
/// </remarks>
public sealed class PhysicalPythonFileSystem : IPythonFileSystem, IDisposable
{
    private readonly IPythonFileSystem _implementation;

    /// <summary>Initializes a new instance of the <see cref="PhysicalPythonFileSystem"/> class.</summary>
    /// <param name="hostRoot">The host directory that is the root <c>/</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="hostRoot"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="hostRoot"/> does not exist or is not a directory.</exception>
    public PhysicalPythonFileSystem(string hostRoot)
        : this(hostRoot, preferKernelResolution: true)
    {
    }

    internal PhysicalPythonFileSystem(string hostRoot, bool preferKernelResolution)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostRoot);
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(hostRoot));
        if (!Directory.Exists(fullRoot))
        {
            throw new DirectoryNotFoundException($"The root directory '{fullRoot}' does not exist.");
        }

        var kernel = preferKernelResolution ? LinuxRootedFileSystem.TryCreate(fullRoot) : null;
        _implementation = (IPythonFileSystem?)kernel ?? new PortableRootedFileSystem(fullRoot);
        HostRoot = fullRoot;
    }

    /// <summary>Gets the full host path of the root directory.</summary>
    public string HostRoot { get; }

    /// <summary>Gets a value indicating whether the kernel resolves paths inside the root (no check-then-use window).</summary>
    public bool IsResolvedByKernel => _implementation is LinuxRootedFileSystem;

    /// <inheritdoc/>
    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        return _implementation.GetStatus(path, followSymbolicLinks);
    }

    /// <inheritdoc/>
    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        PythonPath.Validate(path);
        return _implementation.Open(path, flags, mode);
    }

    /// <inheritdoc/>
    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        PythonPath.Validate(path);
        return _implementation.ReadDirectory(path);
    }

    /// <inheritdoc/>
    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        PythonPath.Validate(path);
        _implementation.CreateDirectory(path, mode);
    }

    /// <inheritdoc/>
    public void DeleteDirectory(string path)
    {
        PythonPath.Validate(path);
        _implementation.DeleteDirectory(path);
    }

    /// <inheritdoc/>
    public void DeleteFile(string path)
    {
        PythonPath.Validate(path);
        _implementation.DeleteFile(path);
    }

    /// <inheritdoc/>
    public void Rename(string source, string destination, bool replace = true)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        _implementation.Rename(source, destination, replace);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="target"/> contains a NUL character.</exception>
    public void CreateSymbolicLink(string path, string target)
    {
        PythonPath.Validate(path);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A symbolic link target cannot contain a NUL character.", nameof(target));
        }

        _implementation.CreateSymbolicLink(path, target);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Both names are resolved inside the root; a final symbolic link in <paramref name="source"/> is linked
    /// itself, never followed on the host. Where the kernel cannot resolve paths inside the root
    /// (see <see cref="IsResolvedByKernel"/>), hard links are refused with <c>EPERM</c>.
    /// </remarks>
    public void CreateHardLink(string source, string destination)
    {
        PythonPath.Validate(source);
        PythonPath.Validate(destination);
        _implementation.CreateHardLink(source, destination);
    }

    /// <inheritdoc/>
    public string ReadSymbolicLink(string path)
    {
        PythonPath.Validate(path);
        return _implementation.ReadSymbolicLink(path);
    }

    /// <inheritdoc/>
    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        _implementation.SetTimes(path, accessTime, modificationTime, followSymbolicLinks);
    }

    /// <inheritdoc/>
    /// <exception cref="PythonIOException"><c>EOPNOTSUPP</c> for a symbolic link that is not followed (Linux cannot change a link's mode).</exception>
    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        PythonPath.Validate(path);
        _implementation.SetMode(path, mode, followSymbolicLinks);
    }

    /// <inheritdoc/>
    /// <remarks>Returns where the path resolves inside the root (links followed as in a chroot), or the lexical host path when it does not exist.</remarks>
    public string? GetHostPath(string path)
    {
        PythonPath.Validate(path);
        return _implementation.GetHostPath(path);
    }

    /// <summary>Closes the descriptor of the root.</summary>
    public void Dispose() => (_implementation as IDisposable)?.Dispose();
}
