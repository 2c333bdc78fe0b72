using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static PyHosting.Providers.Internal.Physical.LinuxNative;

namespace PyHosting.Providers.Internal.Physical;

/// <content>Descriptor helpers: resolution inside the root, status conversion and error mapping.</content>
internal sealed unsafe partial class LinuxRootedFileSystem
{
    /// <summary>Gets the canonical host path of an open root descriptor, as the kernel names it.</summary>
    public static string? CanonicalPath(SafeFileHandle handle) => ReadLinkText(ProcPath(handle));

    private static string ProcPath(SafeFileHandle handle)
        => "/proc/self/fd/" + handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);

    private static string? ReadLinkText(string path)
    {
        var buffer = new byte[4096];
        nint length;
        fixed (byte* pointer = buffer)
        {
            length = Readlink(path, pointer, (nuint)buffer.Length);
        }

        return length is > 0 and < 4096 ? Encoding.UTF8.GetString(buffer, 0, (int)length) : null;
    }

    private static void Check(int result, string path)
    {
        if (result != 0)
        {
            throw FileSystemErrors.FromErrno(LastErrno, path);
        }
    }

    private static Timespec ToTimespec(DateTimeOffset? time)
    {
        if (time is not { } value)
        {
            return new Timespec { Seconds = 0, Nanoseconds = UTIME_OMIT };
        }

        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new Timespec { Seconds = seconds, Nanoseconds = remainder * 100 };
    }

    private static DateTimeOffset ToDateTimeOffset(StatxTimestamp time)
        => DateTimeOffset.UnixEpoch.AddTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));

    private static PythonFileStatus ToStatus(in StatxBuffer buffer) =>
        new(KindOf(buffer.Mode), (long)buffer.Size, KindOf(buffer.Mode) == PythonFileKind.Other ? buffer.Mode & 0xFFFF : buffer.Mode & 0xFFF, ToDateTimeOffset(buffer.AccessTime), ToDateTimeOffset(buffer.ModificationTime), ToDateTimeOffset(buffer.ChangeTime))
        {
            LinkCount = (int)buffer.LinkCount,
            Inode = (long)buffer.Inode,
            UserId = (int)buffer.UserId,
            GroupId = (int)buffer.GroupId,
        };

    private static PythonFileKind KindOf(int mode) => (mode & S_IFMT) switch
    {
        S_IFREG => PythonFileKind.File,
        S_IFDIR => PythonFileKind.Directory,
        S_IFLNK => PythonFileKind.SymbolicLink,
        _ => PythonFileKind.Other,
    };

    private static PythonFileKind KindAt(int directory, string name)
        => Statx(directory, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var buffer) == 0 ? KindOf(buffer.Mode) : PythonFileKind.Other;

    private static PythonFileStatus StatusOf(SafeFileHandle handle, string name, int flags, string path)
    {
        if (Statx(handle, name, flags, STATX_BASIC_STATS, out var buffer) != 0)
        {
            throw FileSystemErrors.FromErrno(LastErrno, path);
        }

        return ToStatus(buffer);
    }

    /// <summary>Resolves <paramref name="path"/> inside the root with <c>openat2</c>; returns the descriptor or -1 with errno set.</summary>
    private int OpenRaw(string path, int flags, int mode)
    {
        var relative = path == PythonPath.Root ? "." : path[1..];
        for (var attempt = 0; ; attempt++)
        {
            var fd = OpenAt2(_root, relative, flags, mode, Resolve);

            // EAGAIN: the kernel saw a concurrent rename or mount during a RESOLVE_IN_ROOT lookup and asks for a retry.
            if (fd >= 0 || LastErrno is not (Errno.EAGAIN or Errno.EINTR) || attempt == MaxRetries)
            {
                return fd;
            }
        }
    }

    private SafeFileHandle? TryOpen(string path, int flags, int mode, out int errno)
    {
        var fd = OpenRaw(path, flags, mode);
        errno = fd < 0 ? LastErrno : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private SafeFileHandle OpenExisting(string path, int flags)
        => TryOpen(path, flags, 0, out var errno) ?? throw FileSystemErrors.FromErrno(errno, path);

    /// <summary>Opens the directory that holds the final name of <paramref name="path"/> (never the root itself).</summary>
    private SafeFileHandle OpenParent(string path, out string name)
    {
        name = PythonPath.GetName(path);
        return OpenExisting(PythonPath.GetParent(path)!, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }

    /// <summary>The status of a descriptor this file system opened (<c>statx</c> with <c>AT_EMPTY_PATH</c>).</summary>
    internal static PythonFileStatus StatusOfOpen(SafeFileHandle handle, string path) => StatusOf(handle, string.Empty, AT_EMPTY_PATH, path);

    /// <summary>
    /// Opens a file, creating it with <paramref name="mode"/> when asked; <paramref name="created"/> tells whether this
    /// call created it (the caller then checks that the host's umask removed none of the bits).
    /// </summary>
    private SafeFileHandle OpenFile(string path, PythonOpenFlags flags, int baseFlags, int mode, out bool created)
    {
        SafeFileHandle? handle;
        int errno;
        created = false;
        if ((flags & PythonOpenFlags.Create) == 0)
        {
            handle = TryOpen(path, baseFlags, 0, out errno);
        }
        else if ((flags & PythonOpenFlags.Exclusive) != 0)
        {
            handle = TryOpen(path, baseFlags | O_CREAT | O_EXCL, mode, out errno);
            created = handle is not null;
        }
        else
        {
            // Try to create first, so that we know whether to apply the mode; fall back to opening
            // the existing file, then to a plain O_CREAT (which creates the target of a dangling link).
            handle = TryOpen(path, baseFlags | O_CREAT | O_EXCL, mode, out errno);
            created = handle is not null;
            if (handle is null && errno == Errno.EEXIST)
            {
                handle = TryOpen(path, baseFlags, 0, out errno);
                if (handle is null && errno == Errno.ENOENT)
                {
                    handle = TryOpen(path, baseFlags | O_CREAT, mode, out errno);
                }
            }
        }

        if (handle is null)
        {
            throw FileSystemErrors.FromErrno(errno, path, NotFoundKind.File);
        }

        return handle;
    }
}
