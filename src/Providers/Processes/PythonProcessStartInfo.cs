namespace PyHosting.Providers;

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
