using PyHosting.Providers.Internal.Physical;

namespace PyHosting.Providers.Internal.Processes;

/// <summary>
/// The wait status of an exited child, kept by the kernel for a process descriptor (<c>pidfd</c>) opened while the child
/// existed: <c>ioctl(PIDFD_GET_INFO)</c> with <c>PIDFD_INFO_EXIT</c> (Linux 6.15 and later) returns it even after .NET has
/// reaped the child, so whether it ended by a signal is known for certain.
/// </summary>
internal sealed unsafe class ChildExitStatus : IDisposable
{
    private const ulong PidFdInfoExit = 1UL << 3;
    private const int InfoSize = 64; // struct pidfd_info, version 0
    private const int InfoExitCode = 60;

    // _IOWR(0xFF, 11, struct pidfd_info): the size is that of the structure this code passes.
    private const ulong PidFdGetInfo = (3UL << 30) | ((ulong)InfoSize << 16) | (0xFFUL << 8) | 11;

    private static int s_supported; // 0 unknown, 1 yes, -1 no

    private int _pidFd;

    private ChildExitStatus(int pidFd) => _pidFd = pidFd;

    /// <summary>Gets a value indicating whether the kernel keeps exit statuses for process descriptors (known after the first <see cref="Open"/>).</summary>
    public static bool Supported => Volatile.Read(ref s_supported) > 0;

    /// <summary>Opens a process descriptor for <paramref name="pid"/>, a child that has not been reaped; <see langword="null"/> where the kernel cannot tell.</summary>
    /// <param name="pid">The child's process id.</param>
    /// <returns>The status holder, or <see langword="null"/>.</returns>
    public static ChildExitStatus? Open(int pid)
    {
        if (!LinuxNative.IsSupportedPlatform || Volatile.Read(ref s_supported) < 0)
        {
            return null;
        }

        var fd = LinuxNative.PidFdOpen(pid);
        if (fd < 0)
        {
            return null; // no pidfd_open (before Linux 5.3), or the child is gone already
        }

        var status = new ChildExitStatus(fd);
        if (Volatile.Read(ref s_supported) == 0)
        {
            // One probe: a kernel without PIDFD_GET_INFO refuses the request (ENOTTY, EINVAL).
            Volatile.Write(ref s_supported, status.Query(out _) ? 1 : -1);
            if (!Supported)
            {
                status.Dispose();
                return null;
            }
        }

        return status;
    }

    /// <summary>The signal that ended the child, 0 when it exited normally, -1 when the kernel has no status (yet).</summary>
    /// <returns>The signal number, 0 or -1.</returns>
    public int Signal()
    {
        if (!Query(out var waitStatus) || waitStatus is not { } status)
        {
            return -1;
        }

        var signal = status & 0x7F;
        return signal is 0 or 0x7F ? 0 : signal;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _pidFd, -1);
        if (fd >= 0)
        {
            _ = LinuxNative.Close(fd);
        }
    }

    /// <summary>Asks for the exit information; false when the request failed, a null status when there is none yet.</summary>
    private bool Query(out int? waitStatus)
    {
        waitStatus = null;
        var fd = Volatile.Read(ref _pidFd);
        if (fd < 0)
        {
            return false;
        }

        var info = stackalloc byte[InfoSize];
        new Span<byte>(info, InfoSize).Clear();
        *(ulong*)info = PidFdInfoExit;
        if (LinuxNative.Ioctl(fd, PidFdGetInfo, info) != 0)
        {
            return false;
        }

        if ((*(ulong*)info & PidFdInfoExit) != 0)
        {
            waitStatus = *(int*)(info + InfoExitCode);
        }

        return true;
    }
}
