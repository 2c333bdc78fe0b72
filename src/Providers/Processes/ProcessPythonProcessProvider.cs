using System.ComponentModel;
using System.Diagnostics;
using PyHosting.Providers.Internal;
using PyHosting.Providers.Internal.Processes;

namespace PyHosting.Providers;

/// <summary>
/// Starts real host processes with <see cref="Process"/>: the argument vector is passed as is
/// (no shell is involved unless the program is one), the environment is exactly
/// <see cref="PythonProcessStartInfo.Environment"/>, and the standard streams are pipes, the null
/// device or the host's own streams as asked.
/// </summary>
/// <remarks>
/// <para>
/// The program is found as Python's <c>subprocess</c> finds it: a name is looked up on the <c>PATH</c>
/// of the child's environment (<c>/bin:/usr/bin</c> when it has none), a path containing <c>/</c> is
/// taken relative to the working directory. The child receives the full path as its <c>argv[0]</c>.
/// </para>
/// <para>
/// <see cref="IPythonProcess.Kill"/> kills the whole process tree; disposing a process that still
/// runs kills it. A process ended by signal N reports exit code -N, as Python's <c>subprocess</c> does (.NET itself
/// reports 128 + N). On Linux 6.15 and later the kernel keeps the child's status for a process descriptor opened at
/// its start, which tells for certain; on older Linux kernels the status is read with <c>waitid(WNOWAIT)</c> when the
/// child exits, which may lose the race with .NET's reaping of it. Where neither tells, only a process killed through
/// <see cref="IPythonProcess.Kill"/> is known to have died by a signal (-9), and other deaths by signal report 128 + N.
/// </para>
/// </remarks>
public sealed class ProcessPythonProcessProvider : IPythonProcessProvider
{
    /// <inheritdoc/>
    /// <exception cref="DirectoryNotFoundException">The working directory does not exist (<c>ENOENT</c>).</exception>
    public IPythonProcess Start(PythonProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.Environment.TryGetValue("PATH", out var searchPath);
        var executable = ExecutableResolver.Resolve(startInfo.Program, searchPath, startInfo.WorkingDirectory)
            ?? throw new FileNotFoundException($"No such file or directory: '{startInfo.Program}'", startInfo.Program);
        if (startInfo.WorkingDirectory is { } workingDirectory && !Directory.Exists(workingDirectory))
        {
            throw new DirectoryNotFoundException($"No such file or directory: '{workingDirectory}'");
        }

        var processStartInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = startInfo.WorkingDirectory ?? string.Empty,
            RedirectStandardInput = startInfo.StandardInput != PythonStdio.Inherit,
            RedirectStandardOutput = startInfo.StandardOutput != PythonStdio.Inherit,
            RedirectStandardError = startInfo.StandardError != PythonStdio.Inherit,
        };
        for (var i = 1; i < startInfo.Arguments.Count; i++)
        {
            processStartInfo.ArgumentList.Add(startInfo.Arguments[i]);
        }

        processStartInfo.Environment.Clear();
        foreach (var (name, value) in startInfo.Environment)
        {
            processStartInfo.Environment[name] = value;
        }

        Process? process;
        // Where the kernel keeps a child's status for a process descriptor, no thread needs to watch the exit.
        var exitSignal = OperatingSystem.IsWindows() || ChildExitStatus.Supported ? null : ExitSignalWatcher.Prepare();
        try
        {
            process = Process.Start(processStartInfo);
        }
        catch (Win32Exception e)
        {
            exitSignal?.Cancel();
            throw e.NativeErrorCode switch
            {
                Errno.ENOENT => new FileNotFoundException($"No such file or directory: '{executable}'", executable, e),
                Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException($"Permission denied: '{executable}'", e),
                > 0 and < 512 when !OperatingSystem.IsWindows() => new PythonIOException(e.NativeErrorCode, FileSystemErrors.Describe(e.NativeErrorCode) + ": '" + executable + "'", e),
                _ => new PythonIOException(Errno.EIO, e.Message, e),
            };
        }

        if (process is null)
        {
            exitSignal?.Cancel();
            throw new PythonIOException(Errno.EIO, $"'{executable}' did not start.");
        }

        var exitStatus = OperatingSystem.IsWindows() ? null : ChildExitStatus.Open(process.Id);
        if (exitStatus is not null)
        {
            exitSignal?.Cancel();
            exitSignal = null;
        }
        else
        {
            exitSignal?.Watch(process.Id);
        }

        try
        {
            return new PythonProcessHandle(process, startInfo, exitStatus, exitSignal);
        }
        catch
        {
            exitStatus?.Dispose();
            process.Dispose();
            throw;
        }
    }
}
