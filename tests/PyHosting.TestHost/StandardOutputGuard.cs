using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PyHosting.TestHost;

/// <summary>
/// Moves the process's standard output to a private descriptor for the protocol and points
/// descriptor 1 at standard error, so that nothing but protocol lines reaches the test.
/// </summary>
internal static partial class StandardOutputGuard
{
    public static Stream TakeStandardOutput()
    {
        var duplicate = Dup(1);
        if (duplicate < 0 || Dup2(2, 1) < 0)
        {
            throw new IOException($"Could not redirect standard output (errno {Marshal.GetLastPInvokeError()}).");
        }

        return new FileStream(new SafeFileHandle(duplicate, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);
}
