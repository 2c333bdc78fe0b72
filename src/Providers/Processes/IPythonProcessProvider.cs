namespace PyHosting.Providers;

/// <summary>
/// Starts child processes for Python code in the Managed backend (<c>subprocess</c>,
/// <c>os.system</c>, <c>os.popen</c>), after the runtime has checked
/// <c>PythonRuntime:Permissions:CreateProcess</c>.
/// </summary>
/// <remarks>Implementations must be thread-safe. Errors map to <c>errno</c> as for <see cref="IPythonFileSystem"/>; an executable that is not found is a <see cref="FileNotFoundException"/> (<c>ENOENT</c>), a refused one an <see cref="UnauthorizedAccessException"/> (<c>EACCES</c>).</remarks>
public interface IPythonProcessProvider
{
    /// <summary>Starts a process.</summary>
    /// <param name="startInfo">What to start and how.</param>
    /// <returns>The running process; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The executable does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Starting this executable is refused.</exception>
    /// <exception cref="PythonIOException">Another failure with a precise errno.</exception>
    IPythonProcess Start(PythonProcessStartInfo startInfo);
}

/// <summary>What to do with one standard stream of a child process.</summary>
public enum PythonStdio
{
    /// <summary>Connect a pipe, exposed as a stream on <see cref="IPythonProcess"/>.</summary>
    Pipe,

    /// <summary>Connect to the null device.</summary>
    Null,

    /// <summary>Share the host process's own stream.</summary>
    Inherit,
}

/// <summary>Describes a process to start.</summary>
public sealed class PythonProcessStartInfo
{
    /// <summary>Initializes a new instance of the <see cref="PythonProcessStartInfo"/> class.</summary>
    /// <param name="arguments">The argument vector; element 0 is the program (a name looked up on <c>PATH</c>, or a path).</param>
    /// <exception cref="ArgumentException"><paramref name="arguments"/> is empty.</exception>
    public PythonProcessStartInfo(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("The argument vector must contain at least the program.", nameof(arguments));
        }

        Arguments = arguments;
    }

    /// <summary>Gets the argument vector; element 0 is the program.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Gets the program: element 0 of <see cref="Arguments"/>.</summary>
    public string Program => Arguments[0];

    /// <summary>Gets the working directory as a host path, or <see langword="null"/> for the provider's default.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Gets the complete environment of the child (nothing else is inherited).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets what to do with standard input.</summary>
    public PythonStdio StandardInput { get; init; } = PythonStdio.Pipe;

    /// <summary>Gets what to do with standard output.</summary>
    public PythonStdio StandardOutput { get; init; } = PythonStdio.Pipe;

    /// <summary>Gets what to do with standard error.</summary>
    public PythonStdio StandardError { get; init; } = PythonStdio.Pipe;
}

/// <summary>A running (or finished) child process.</summary>
public interface IPythonProcess : IDisposable
{
    /// <summary>Gets the provider's identifier of the process (the runtime shows Python a virtual pid).</summary>
    int Id { get; }

    /// <summary>Gets the writable stream of standard input, when it is a pipe.</summary>
    Stream? StandardInput { get; }

    /// <summary>Gets the readable stream of standard output, when it is a pipe.</summary>
    Stream? StandardOutput { get; }

    /// <summary>Gets the readable stream of standard error, when it is a pipe.</summary>
    Stream? StandardError { get; }

    /// <summary>Gets the exit code when the process has exited, otherwise <see langword="null"/> (a poll). A process killed by a signal reports minus the signal number.</summary>
    int? ExitCode { get; }

    /// <summary>Waits for the process to exit.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the process).</param>
    /// <returns>The exit code, as <see cref="ExitCode"/>.</returns>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);

    /// <summary>Kills the process (and its children, where supported). Does nothing when it has exited.</summary>
    void Kill();
}
