using PyHosting.Providers.Internal.Physical;

namespace PyHosting.Providers.Internal.Processes;

/// <summary>
/// Learns whether a child ended by a signal, which <see cref="System.Diagnostics.Process.ExitCode"/> cannot tell: .NET
/// reports a child killed by signal N as 128 + N, the same as <c>exit(128 + N)</c>. A thread waits for the child with
/// <c>waitid(WEXITED | WNOWAIT)</c>, which reads the child's status without reaping it (.NET reaps it), and keeps the
/// signal when the kernel reports <c>CLD_KILLED</c> or <c>CLD_DUMPED</c>. The thread is started before the child, and
/// ends with it.
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

    private readonly ManualResetEventSlim _started = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private int _pid;
    private int _signal;

    /// <summary>
    /// Starts the watching thread before the child exists (off Linux: <see langword="null"/>), so that it is running
    /// when <see cref="Watch"/> hands it the child's id: a child may exit within a millisecond of its start.
    /// </summary>
    /// <returns>The watcher, or <see langword="null"/>.</returns>
    public static ExitSignalWatcher? Prepare()
    {
        if (!LinuxNative.IsSupportedPlatform)
        {
            return null;
        }

        var watcher = new ExitSignalWatcher();
        var thread = new Thread(watcher.Run, maxStackSize: 64 * 1024)
        {
            IsBackground = true,
            Name = "PyHosting child exit",
        };
        thread.Start();
        return watcher;
    }

    /// <summary>Watches <paramref name="pid"/>, a child of this process that .NET started.</summary>
    /// <param name="pid">The child's process id.</param>
    public void Watch(int pid)
    {
        Volatile.Write(ref _pid, pid);
        _started.Set();
    }

    /// <summary>Ends the watching thread without a child (the start failed).</summary>
    public void Cancel() => Watch(0);

    /// <summary>The signal that ended the child, 0 when it exited or the status is unknown. Waits (briefly) for the watching thread once the child has exited.</summary>
    /// <returns>The signal number, or 0.</returns>
    public int Signal()
    {
        _ = _done.Wait(TimeSpan.FromSeconds(5));
        return Volatile.Read(ref _signal);
    }

    private void Run()
    {
        try
        {
            _started.Wait();
            var pid = Volatile.Read(ref _pid);
            if (pid <= 0)
            {
                return;
            }

            var info = stackalloc byte[SigInfoSize];
            int result;
            do
            {
                new Span<byte>(info, SigInfoSize).Clear();
                result = LinuxNative.WaitId(PPid, pid, info, WExited | WNoWait);
            }
            while (result != 0 && LinuxNative.LastErrno == EIntr);

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
