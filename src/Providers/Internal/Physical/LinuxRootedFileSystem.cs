using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static PyHosting.Providers.Internal.Physical.LinuxNative;

namespace PyHosting.Providers.Internal.Physical;

/// <summary>
/// The Linux implementation of <see cref="PhysicalPythonFileSystem"/>: every path is resolved by the
/// kernel with <c>openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)</c> relative to a descriptor of the
/// root, and every operation works on descriptors (<c>*at</c> calls on the parent directory, which
/// never follow the final name), so neither <c>..</c> nor a symbolic link, even one swapped during
/// the call, can reach outside the root.
/// </summary>
internal sealed unsafe partial class LinuxRootedFileSystem : IPythonFileSystem, IDisposable
{
    private const ulong Resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private const int MaxRetries = 16;

    private readonly SafeFileHandle _root;
    private readonly string _hostRoot;

    private LinuxRootedFileSystem(SafeFileHandle root, string hostRoot)
    {
        _root = root;
        _hostRoot = hostRoot;
    }

    /// <summary>Opens the root, or returns <see langword="null"/> when this kernel or C library cannot do <c>openat2</c>/<c>statx</c>.</summary>
    public static LinuxRootedFileSystem? TryCreate(string hostRoot)
    {
        if (!IsSupportedPlatform)
        {
            return null;
        }

        try
        {
            using var cwd = new SafeFileHandle(AT_FDCWD, ownsHandle: false);
            var fd = OpenAt2(cwd, hostRoot, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
            if (fd < 0)
            {
                var errno = LastErrno;
                if (errno is Errno.ENOSYS or Errno.EPERM or Errno.EINVAL)
                {
                    // No openat2 (kernel before 5.6, or a seccomp filter that refuses it).
                    return null;
                }

                throw FileSystemErrors.FromErrno(errno, hostRoot, NotFoundKind.Directory);
            }

            var root = new SafeFileHandle(fd, ownsHandle: true);
            if (Statx(root, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out _) != 0)
            {
                root.Dispose();
                return null;
            }

            return new LinuxRootedFileSystem(root, CanonicalPath(root) ?? hostRoot);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    public void Dispose() => _root.Dispose();

    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        var flags = O_PATH | O_CLOEXEC | (followSymbolicLinks ? 0 : O_NOFOLLOW);
        using var handle = TryOpen(path, flags, 0, out var errno);
        if (handle is null)
        {
            return errno == Errno.ENOENT ? null : throw FileSystemErrors.FromErrno(errno, path);
        }

        return StatusOf(handle, string.Empty, AT_EMPTY_PATH, path);
    }

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        var canWrite = (flags & (PythonOpenFlags.Write | PythonOpenFlags.Append)) != 0;
        var canRead = (flags & PythonOpenFlags.Read) != 0 || !canWrite;
        var baseFlags = O_CLOEXEC | O_NOCTTY | (canRead && canWrite ? O_RDWR : canWrite ? O_WRONLY : O_RDONLY)
            | ((flags & PythonOpenFlags.Truncate) != 0 ? O_TRUNC : 0)
            | ((flags & PythonOpenFlags.Append) != 0 ? O_APPEND : 0);
        var handle = OpenFile(path, flags, baseFlags, mode & 0xFFF, out var created);
        try
        {
            var status = StatusOfOpen(handle, path);
            if (status.Kind == PythonFileKind.Directory)
            {
                throw FileSystemErrors.Create(Errno.EISDIR, path);
            }

            if (created && status.Mode != (mode & 0xFFF))
            {
                // The runtime already applied its emulated umask; the host process's umask must not apply again
                // (most often it removed nothing, and the status just read says so).
                _ = Fchmod(handle, (uint)(mode & 0xFFF));
            }

            if (status.Kind == PythonFileKind.File && (flags & PythonOpenFlags.Append) == 0)
            {
                return new RegularFileStream(handle, canRead, canWrite, path);
            }

            var access = canRead && canWrite ? FileAccess.ReadWrite : canWrite ? FileAccess.Write : FileAccess.Read;
            var stream = new FileStream(handle, access, bufferSize: 0);
            if ((flags & PythonOpenFlags.Append) != 0 && stream.CanSeek)
            {
                // O_APPEND already makes every write land at the end; the wrapper keeps the stream's position in step.
                stream.Seek(0, SeekOrigin.End);
                return new AppendingStream(stream);
            }

            return stream;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        var fd = OpenRaw(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw FileSystemErrors.FromErrno(LastErrno, path, NotFoundKind.Directory);
        }

        var directory = FdOpenDir(fd);
        if (directory == 0)
        {
            var errno = LastErrno;
            Close(fd);
            throw FileSystemErrors.FromErrno(errno, path, NotFoundKind.Directory);
        }

        try
        {
            var entries = new List<PythonDirectoryEntry>();
            for (var entry = ReadDir(directory); entry != 0; entry = ReadDir(directory))
            {
                // struct dirent on 64-bit Linux (glibc and musl): d_ino, d_off, d_reclen (u16), d_type (u8), d_name.
                var type = Marshal.ReadByte(entry, 18);
                var name = Marshal.PtrToStringUTF8(entry + 19)!;
                if (name is "." or "..")
                {
                    continue;
                }

                var kind = type switch
                {
                    DT_DIR => PythonFileKind.Directory,
                    DT_REG => PythonFileKind.File,
                    DT_LNK => PythonFileKind.SymbolicLink,
                    DT_UNKNOWN => KindAt(DirFd(directory), name),
                    _ => PythonFileKind.Other,
                };
                entries.Add(new PythonDirectoryEntry(name, kind));
            }

            return entries;
        }
        finally
        {
            CloseDir(directory);
        }
    }

    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        using var parent = OpenParent(path, out var name);
        Check(MkdirAt(parent, name, (uint)(mode & 0xFFF)), path);

        // Apply the exact bits: the runtime already applied its emulated umask, the host's must not apply again.
        _ = FchmodAt(parent, name, (uint)(mode & 0xFFF), AT_SYMLINK_NOFOLLOW);
    }

    public void DeleteDirectory(string path)
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, path);
        }

        using var parent = OpenParent(path, out var name);
        if (UnlinkAt(parent, name, AT_REMOVEDIR) != 0)
        {
            var errno = LastErrno;
            throw FileSystemErrors.FromErrno(errno == Errno.EEXIST ? Errno.ENOTEMPTY : errno, path);
        }
    }

    public void DeleteFile(string path)
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EISDIR, path);
        }

        using var parent = OpenParent(path, out var name);
        Check(UnlinkAt(parent, name, 0), path);
    }

    public void Rename(string source, string destination, bool replace = true)
    {
        if (source == PythonPath.Root || destination == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EBUSY, source, destination);
        }

        using var from = OpenParent(source, out var fromName);
        using var to = OpenParent(destination, out var toName);
        if (replace)
        {
            Check(RenameAt(from, fromName, to, toName), source);
            return;
        }

        if (RenameAt2(from, fromName, to, toName, RENAME_NOREPLACE) == 0)
        {
            return;
        }

        var errno = LastErrno;
        if (errno is not (Errno.EINVAL or Errno.ENOSYS))
        {
            throw FileSystemErrors.FromErrno(errno, errno == Errno.EEXIST ? destination : source);
        }

        // The file system cannot do RENAME_NOREPLACE: check, then rename (racy, but never outside the root).
        if (Statx(to, toName, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out _) == 0)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, destination);
        }

        Check(RenameAt(from, fromName, to, toName), source);
    }

    public void CreateSymbolicLink(string path, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        using var parent = OpenParent(path, out var name);
        Check(SymlinkAt(target, parent, name), path);
    }

    public void CreateHardLink(string source, string destination)
    {
        if (source == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EPERM, source, destination);
        }

        if (destination == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, destination);
        }

        // Flags 0: the final name of the source is never followed (no AT_SYMLINK_FOLLOW), so a link inside the root
        // that points outside it cannot give the host file a name inside the root.
        using var from = OpenParent(source, out var fromName);
        using var to = OpenParent(destination, out var toName);
        if (LinkAt(from, fromName, to, toName, 0) != 0)
        {
            var errno = LastErrno;
            throw FileSystemErrors.FromErrno(errno, errno == Errno.EEXIST ? destination : source);
        }
    }

    public string ReadSymbolicLink(string path)
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EINVAL, path);
        }

        using var parent = OpenParent(path, out var name);
        for (var size = 256; ; size *= 4)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* pointer = buffer)
            {
                length = ReadlinkAt(parent, name, pointer, (nuint)size);
            }

            if (length < 0)
            {
                throw FileSystemErrors.FromErrno(LastErrno, path);
            }

            if (length < size)
            {
                return Encoding.UTF8.GetString(buffer, 0, (int)length);
            }
        }
    }

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
    {
        var times = stackalloc Timespec[2];
        times[0] = ToTimespec(accessTime);
        times[1] = ToTimespec(modificationTime);
        if (followSymbolicLinks || path == PythonPath.Root)
        {
            using var handle = OpenExisting(path, O_PATH | O_CLOEXEC);
            Check(UtimensAt(AT_FDCWD, ProcPath(handle), times, 0), path);
        }
        else
        {
            using var parent = OpenParent(path, out var name);
            Check(UtimensAt(parent, name, times, AT_SYMLINK_NOFOLLOW), path);
        }
    }

    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        if (followSymbolicLinks || path == PythonPath.Root)
        {
            using var handle = OpenExisting(path, O_PATH | O_CLOEXEC);
            Check(FchmodAt(AT_FDCWD, ProcPath(handle), (uint)(mode & 0xFFF), 0), path);
        }
        else
        {
            using var parent = OpenParent(path, out var name);
            Check(FchmodAt(parent, name, (uint)(mode & 0xFFF), AT_SYMLINK_NOFOLLOW), path);
        }
    }

    public string? GetHostPath(string path)
    {
        using var handle = TryOpen(path, O_PATH | O_CLOEXEC, 0, out _);
        if (handle is not null)
        {
            // The kernel's own name for what the path resolves to inside the root.
            var resolved = ReadLinkText(ProcPath(handle));
            if (resolved is not null && (resolved == _hostRoot || resolved.StartsWith(_hostRoot.TrimEnd('/') + "/", StringComparison.Ordinal)))
            {
                return resolved;
            }
        }

        return path == PythonPath.Root ? _hostRoot : Path.Join(_hostRoot, path);
    }
}
