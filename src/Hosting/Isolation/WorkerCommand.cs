namespace PyHosting.Hosting.Isolation;

/// <summary>How to start a worker process.</summary>
/// <param name="FileName">The program: the .NET muxer, or bubblewrap when confined.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="Environment">Variables set on top of the host's environment.</param>
/// <param name="WorkingDirectory">The working directory.</param>
/// <param name="Confined">Whether the worker runs confined.</param>
/// <param name="Inherited">What the worker inherits besides its standard streams (the seccomp filter's pipe), released once it has started; <see langword="null"/> for nothing.</param>
internal sealed record WorkerCommand(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string?> Environment,
    string WorkingDirectory,
    bool Confined,
    IDisposable? Inherited = null)
{
    /// <summary>Gets a value indicating whether the worker runs under the seccomp filter.</summary>
    public bool Filtered => Inherited is not null;
}
