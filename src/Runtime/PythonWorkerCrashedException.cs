namespace PyHosting;

/// <summary>
/// The worker process running a call ended before the call did (with <c>PythonRuntime:Isolation:Mode=Process</c>):
/// native code crashed or aborted, the operating system killed it (out of memory, a resource limit), Python left with
/// <c>os._exit</c>, or the worker broke the channel's protocol and was killed. The host is unharmed and the next call
/// runs in a fresh worker, without the module state of the one that ended.
/// </summary>
public sealed class PythonWorkerCrashedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PythonWorkerCrashedException"/> class.</summary>
    public PythonWorkerCrashedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonWorkerCrashedException"/> class.</summary>
    /// <param name="message">What happened.</param>
    public PythonWorkerCrashedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonWorkerCrashedException"/> class.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public PythonWorkerCrashedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonWorkerCrashedException"/> class.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="exitCode">The worker's exit code, when it exited.</param>
    /// <param name="signal">The signal that ended the worker, when one did (for example 11 for <c>SIGSEGV</c>, 6 for <c>SIGABRT</c>).</param>
    /// <param name="standardErrorTail">The last lines the worker wrote to its standard error.</param>
    public PythonWorkerCrashedException(string message, int? exitCode, int? signal, IReadOnlyList<string> standardErrorTail)
        : base(message)
    {
        ExitCode = exitCode;
        Signal = signal;
        StandardErrorTail = standardErrorTail ?? [];
    }

    /// <summary>Gets the worker's exit code, or <see langword="null"/> when a signal ended it or it is unknown.</summary>
    public int? ExitCode { get; }

    /// <summary>Gets the number of the signal that ended the worker (<c>SIGSEGV</c> is 11, <c>SIGABRT</c> 6, <c>SIGKILL</c> 9), or <see langword="null"/>.</summary>
    public int? Signal { get; }

    /// <summary>Gets the last lines the worker wrote to its standard error (at most 20), oldest first.</summary>
    public IReadOnlyList<string> StandardErrorTail { get; } = [];
}
