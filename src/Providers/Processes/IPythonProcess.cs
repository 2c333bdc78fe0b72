namespace PyHosting.Providers;

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
