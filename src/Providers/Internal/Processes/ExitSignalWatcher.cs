using System.Runtime.InteropServices;

namespace PyHosting.Providers.Internal.Processes;

/// <summary>
/// Learns whether a child ended by a signal, which <see cref="System.Diagnostics.Process.ExitCode"/> cannot tell: .NET
/// reports a child killed by signal N as 128 + N, the same as <c>exit(128 + N)</c>. A thread waits for the child with
/// <c>waitid(WEXITED | WNOWAIT)</c>, which reads the child's status without reaping it (.NET reaps it), and keeps the
/// signal when the kernel reports <c>CLD_KILLED</c> or <c>CLD_DUMPED</c>.
/// </summary>
/// <remarks>
/// The status is read between the child's exit and .NET's reaping of it. The waiting thread is woken by the kernel at
/// the exit, while .NET reaps after its signal-handling thread has seen <c>SIGCHLD</c>; should .NET reap first, the status
/// is unknown (<c>ECHILD</c>) and the exit code stays what .NET reports.
/// </remarks>
internal sealed unsafe class ExitSignalWatcher
{
    private const int PPid = 1;
    private const int WExited = 4;
    private const int WNoWait = 0x01000000;
    private const int CldKilled = 2;
    private const int CldDumped = 3;
    private const int EIntr = 4;
    private const int SigInfoSize = 128;
    private const int SigInfoCode = 8;
    private const int SigInfoStatus = 24;

    private static readonly delegate* unmanaged<int, int, byte*, int, int> WaitId = Resolve();

    private readonly int _pid;
    private readonly ManualResetEventSlim _done = new(false);
    private int _signal;

    private ExitSignalWatcher(int pid) => _pid = pid;

    /// <summary>Starts watching <paramref name="pid"/>, a child of this process that .NET started; <see langword="null"/> off Linux.</summary>
    /// <param name="pid">The child's process id.</param>
    /// <returns>The watcher, or <see langword="null"/>.</returns>
    public static ExitSignalWatcher? Start(int pid)
    {
        if (WaitId == null)
        {
            return null;
        }

        var watcher = new ExitSignalWatcher(pid);
        var thread = new Thread(watcher.Run, maxStackSize: 64 * 1024)
        {
            IsBackground = true,
            Name = "PyHosting child exit",
        };
        thread.Start();
        return watcher;
    }

    /// <summary>The signal that ended the child, 0 when it exited or the status is unknown. Waits (briefly) for the watching thread once the child has exited.</summary>
    /// <returns>The signal number, or 0.</returns>
    public int Signal()
    {
        _ = _done.Wait(TimeSpan.FromSeconds(5));
        return Volatile.Read(ref _signal);
    }

    private static delegate* unmanaged<int, int, byte*, int, int> Resolve()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "waitid", out var waitid))
        {
            return null;
        }

        return (delegate* unmanaged<int, int, byte*, int, int>)waitid;
    }

    private void Run()
    {
        try
        {
            var info = stackalloc byte[SigInfoSize];
            int result;
            do
            {
                new Span<byte>(info, SigInfoSize).Clear();
                result = WaitId(PPid, _pid, info, WExited | WNoWait);
            }
            while (result != 0 && Marshal.GetLastSystemError() == EIntr);

            var code = *(int*)(info + SigInfoCode);
            if (result == 0 && code is CldKilled or CldDumped)
            {
                Volatile.Write(ref _signal, *(int*)(info + SigInfoStatus));
            }
        }
        finally
        {
            _done.Set();
        }
    }
}
