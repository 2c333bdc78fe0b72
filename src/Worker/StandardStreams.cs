using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PyHosting.Worker;

/// <summary>
/// Takes the inherited pipes on descriptors 0 and 1 for the channel and puts harmless files in their place, so
/// that nothing native code writes to standard output (a C extension's <c>printf</c>, <c>os.write(1, ...)</c>
/// with the Native backend) can be mistaken for a frame: descriptor 0 becomes <c>/dev/null</c> and descriptor 1
/// a copy of standard error.
/// </summary>
internal static partial class StandardStreams
{
    private const int OpenReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    public static (Stream Input, Stream Output) TakeForChannel()
    {
        var input = Duplicate(0);
        var output = Duplicate(1);
        var devNull = Open("/dev/null", OpenReadOnly);
        if (devNull < 0 || Dup2(devNull, 0) < 0 || Dup2(2, 1) < 0)
        {
            throw new IOException("The worker could not move its standard streams aside: errno " + Marshal.GetLastPInvokeError());
        }

        Close(devNull);
        return (
            new FileStream(new SafeFileHandle(input, ownsHandle: true), FileAccess.Read, bufferSize: 0),
            new FileStream(new SafeFileHandle(output, ownsHandle: true), FileAccess.Write, bufferSize: 0));
    }

    /// <summary>Ends the process at once, without running anything else (Python may hold the GIL forever).</summary>
    /// <param name="status">The exit status.</param>
    public static void ExitNow(int status) => Exit(status);

    private static nint Duplicate(int fd)
    {
        // F_DUPFD_CLOEXEC: the copy is not inherited by the processes Python starts.
        var copy = FcntlDup(fd, 1030, 3);
        return copy >= 0 ? copy : throw new IOException("The worker could not duplicate descriptor " + fd + ": errno " + Marshal.GetLastPInvokeError());
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlDup(int fd, int command, int minimum);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
