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
/// reports 128 + N): on Linux the child's status is read when it exits, before .NET reaps it; should .NET reap it
/// first, or elsewhere, only a process killed through <see cref="IPythonProcess.Kill"/> is known to have died by a
/// signal (-9), and other deaths by signal report 128 + N.
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

        Process process;
        try
        {
            process = Process.Start(processStartInfo) ?? throw new PythonIOException(Errno.EIO, $"'{executable}' did not start.");
        }
        catch (Win32Exception e)
        {
            throw e.NativeErrorCode switch
            {
                Errno.ENOENT => new FileNotFoundException($"No such file or directory: '{executable}'", executable, e),
                Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException($"Permission denied: '{executable}'", e),
                > 0 and < 512 when !OperatingSystem.IsWindows() => new PythonIOException(e.NativeErrorCode, FileSystemErrors.Describe(e.NativeErrorCode) + ": '" + executable + "'", e),
                _ => new PythonIOException(Errno.EIO, e.Message, e),
            };
        }

        try
        {
            return new PythonProcessHandle(process, startInfo);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }
}
