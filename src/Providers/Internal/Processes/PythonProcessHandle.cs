using System.Diagnostics;

namespace PyHosting.Providers.Internal.Processes;

/// <summary>An <see cref="IPythonProcess"/> over a <see cref="Process"/>.</summary>
internal sealed class PythonProcessHandle : IPythonProcess
{
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly Task[] _drains;
    private readonly ChildExitStatus? _exitStatus;
    private readonly ExitSignalWatcher? _exitSignal;
    private volatile bool _killed;
    private int _disposed;

    public PythonProcessHandle(Process process, PythonProcessStartInfo startInfo, ChildExitStatus? exitStatus, ExitSignalWatcher? exitSignal)
    {
        _process = process;
        Id = process.Id;
        _exitStatus = exitStatus;
        _exitSignal = exitSignal;
        StandardInput = startInfo.StandardInput == PythonStdio.Pipe ? process.StandardInput.BaseStream : null;
        StandardOutput = startInfo.StandardOutput == PythonStdio.Pipe ? process.StandardOutput.BaseStream : null;
        StandardError = startInfo.StandardError == PythonStdio.Pipe ? process.StandardError.BaseStream : null;

        // Null: stdin is closed at once (the child reads end of file); output is read and discarded,
        // so that the child never blocks on a full pipe or dies of SIGPIPE.
        if (startInfo.StandardInput == PythonStdio.Null)
        {
            process.StandardInput.Close();
        }

        var drains = new List<Task>();
        if (startInfo.StandardOutput == PythonStdio.Null)
        {
            drains.Add(process.StandardOutput.BaseStream.CopyToAsync(Stream.Null));
        }

        if (startInfo.StandardError == PythonStdio.Null)
        {
            drains.Add(process.StandardError.BaseStream.CopyToAsync(Stream.Null));
        }

        _drains = [.. drains];
    }

    public int Id { get; }

    public Stream? StandardInput { get; }

    public Stream? StandardOutput { get; }

    public Stream? StandardError { get; }

    public int? ExitCode => _process.HasExited ? Translate(_process.ExitCode) : null;

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return Translate(_process.ExitCode);
    }

    public void Kill()
    {
        _killed = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // No process is associated any more.
        }

        foreach (var drain in _drains)
        {
            // Drains end with the child's output; their errors (a closed pipe) are of no interest.
            _ = drain.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }

        _process.Dispose();
        _exitStatus?.Dispose();
    }

    /// <summary>
    /// .NET reports a child killed by signal N as 128 + N, indistinguishable from a normal exit with that code: the
    /// kernel's status kept for a process descriptor (<see cref="ChildExitStatus"/>), or else the
    /// <see cref="ExitSignalWatcher"/>, tells them apart (Linux), and a SIGKILL this handle sent itself is certain; a
    /// death by signal is then reported as -N, as Python does.
    /// </summary>
    private int Translate(int exitCode)
    {
        if (OperatingSystem.IsWindows() || exitCode <= 128 || exitCode > 128 + 64)
        {
            return exitCode;
        }

        var signal = exitCode - 128;
        var reported = _exitStatus is { } status ? status.Signal() : _exitSignal is { } watcher ? watcher.Signal() : -1;
        return reported == signal || (_killed && signal == SigKill) ? -signal : exitCode;
    }
}
