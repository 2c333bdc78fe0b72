using PyHosting.Providers.Internal.Processes;

namespace PyHosting.Providers;

/// <summary>
/// A decorator that lets only configured executables start; everything else is refused with
/// <see cref="UnauthorizedAccessException"/> before the inner provider is called.
/// </summary>
/// <remarks>
/// <para>
/// A program is allowed when the executable it resolves to (looked up on the <c>PATH</c> of the
/// child's environment, as <see cref="ProcessPythonProcessProvider"/> does) is the executable an
/// entry resolves to (an entry is a full path, or a name looked up on the host's <c>PATH</c>).
/// Directories are compared after resolving their symbolic links; file names are not, so allowing
/// <c>sh</c> does not allow another name of the same multi-call binary. Because the child's
/// <c>PATH</c> is controlled by the script, a bare name such as <c>git</c> matches an entry <c>git</c>
/// only when both resolve to the same file.
/// </para>
/// <para>The inner provider receives the resolved full path as element 0 of the argument vector, so it starts exactly what was checked.</para>
/// </remarks>
public sealed class AllowListPythonProcessProvider : IPythonProcessProvider
{
    /// <summary>The configuration key that lists the allowed executables.</summary>
    public const string ConfigurationKey = "PythonRuntime:Processes:AllowedExecutables";

    private readonly IPythonProcessProvider _inner;

    /// <summary>Initializes a new instance of the <see cref="AllowListPythonProcessProvider"/> class.</summary>
    /// <param name="inner">The provider that starts allowed processes.</param>
    /// <param name="allowedExecutables">The allowed executables: full paths or names looked up on the host's <c>PATH</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry is empty.</exception>
    public AllowListPythonProcessProvider(IPythonProcessProvider inner, IEnumerable<string> allowedExecutables)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(allowedExecutables);
        _inner = inner;
        var entries = allowedExecutables.ToArray();
        if (Array.Exists(entries, string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{ConfigurationKey} contains an empty entry.", nameof(allowedExecutables));
        }

        AllowedExecutables = entries;
    }

    /// <summary>Gets the allowed executables, as configured.</summary>
    public IReadOnlyList<string> AllowedExecutables { get; }

    /// <inheritdoc/>
    /// <exception cref="UnauthorizedAccessException">The program is not allowed (<c>EACCES</c>); the message names <see cref="ConfigurationKey"/>.</exception>
    /// <exception cref="FileNotFoundException">The program is listed but does not exist.</exception>
    public IPythonProcess Start(PythonProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.Environment.TryGetValue("PATH", out var searchPath);
        var resolved = ExecutableResolver.Resolve(startInfo.Program, searchPath, startInfo.WorkingDirectory);
        if (resolved is null || !IsAllowed(resolved))
        {
            if (resolved is null && AllowedExecutables.Contains(startInfo.Program, StringComparer.Ordinal))
            {
                throw new FileNotFoundException($"No such file or directory: '{startInfo.Program}'", startInfo.Program);
            }

            throw new UnauthorizedAccessException(
                $"starting '{startInfo.Program}' denied: it is not listed in {ConfigurationKey} (allowed: {string.Join(", ", AllowedExecutables)}).");
        }

        var arguments = startInfo.Arguments.ToArray();
        arguments[0] = resolved;
        return _inner.Start(new PythonProcessStartInfo(arguments)
        {
            WorkingDirectory = startInfo.WorkingDirectory,
            Environment = startInfo.Environment,
            StandardInput = startInfo.StandardInput,
            StandardOutput = startInfo.StandardOutput,
            StandardError = startInfo.StandardError,
        });
    }

    private bool IsAllowed(string resolved)
    {
        var canonical = ExecutableResolver.CanonicalizeDirectory(resolved);
        var hostSearchPath = Environment.GetEnvironmentVariable("PATH");
        foreach (var entry in AllowedExecutables)
        {
            var entryPath = ExecutableResolver.Resolve(entry, hostSearchPath, workingDirectory: null);
            if (entryPath is not null && string.Equals(ExecutableResolver.CanonicalizeDirectory(entryPath), canonical, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
