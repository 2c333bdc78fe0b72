using Microsoft.Extensions.Logging;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The environment a child process receives: only variables whose names are on an allow-list, and
/// never one that changes how the program is loaded or interpreted (the dynamic loader's
/// <c>LD_*</c>, a shell's exported functions and start-up files, an interpreter's options and
/// module paths). The rules apply to the runtime's environment that a child inherits and to an
/// environment Python passes explicitly (<c>subprocess.run(..., env=...)</c>) alike.
/// </summary>
internal static partial class ChildEnvironment
{
    /// <summary>The names every child may receive (when the runtime's environment, or Python, has them).</summary>
    public static readonly IReadOnlyList<string> DefaultNames =
    [
        "PATH", "HOME", "LANG", "LANGUAGE", "LC_*", "TZ", "TERM", "USER", "LOGNAME", "TMPDIR", "PWD", "COLUMNS", "LINES",
    ];

    /// <summary>Names (or prefixes ending in <c>*</c>) that never reach a child, whatever the allow-list says.</summary>
    public static readonly IReadOnlyList<string> DeniedNames =
    [
        // The dynamic loader (glibc, musl, macOS) and the C library's own variables that load code or files.
        "LD_*", "DYLD_*", "GCONV_PATH", "LOCPATH", "NLSPATH", "MALLOC_*", "GLIBC_TUNABLES", "HOSTALIASES", "RESOLV_HOST_CONF", "RES_OPTIONS", "LOCALDOMAIN",

        // Shells: exported functions, start-up files and parsing state.
        "BASH_FUNC_*", "BASH_ENV", "ENV", "IFS", "CDPATH", "PS4", "SHELLOPTS", "BASHOPTS", "GLOBIGNORE", "PROMPT_COMMAND",

        // Interpreters and runtimes: options, start-up code and module paths.
        "PYTHON*", "PERL5*", "PERLLIB", "PERL_*", "RUBY*", "GEM_*", "NODE_*", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "LUA_*", "TCLLIBPATH", "DOTNET_*", "CORECLR_*", "COMPlus_*",
    ];

    /// <summary>Builds the child's environment from <paramref name="requested"/>, dropping (and logging by name) what the rules refuse.</summary>
    /// <param name="requested">The runtime's environment, or the one Python passed.</param>
    /// <param name="extraNames">Names the host allows besides <see cref="DefaultNames"/> (<c>PythonRuntime:Permissions:EnvironmentVariables</c> and <c>PythonRuntime:Processes:EnvironmentVariables</c>).</param>
    /// <param name="compatibility">The compatibility logger (dropped names at Debug).</param>
    /// <param name="extraPrefixes">Prefixes the host allows (the entries of <c>PythonRuntime:Processes:EnvironmentVariables</c> that end in <c>*</c>, without it; the empty prefix allows every name).</param>
    /// <returns>The environment to pass.</returns>
    public static Dictionary<string, string> Sanitise(IReadOnlyDictionary<string, string> requested, IEnumerable<string> extraNames, ILogger compatibility, IReadOnlyCollection<string>? extraPrefixes = null)
    {
        var extra = extraNames as ICollection<string> ?? extraNames.ToList();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in requested)
        {
            var reason = Refusal(name, value, extra, extraPrefixes);
            if (reason is null)
            {
                result[name] = value;
            }
            else
            {
                Log.DroppedChildVariable(compatibility, name, reason);
            }
        }

        return result;
    }

    /// <summary>Why <paramref name="name"/> may not reach a child, or <see langword="null"/> when it may.</summary>
    /// <param name="name">The variable's name.</param>
    /// <param name="value">Its value.</param>
    /// <param name="extraNames">Names allowed besides <see cref="DefaultNames"/>.</param>
    /// <param name="extraPrefixes">Prefixes of names allowed besides <see cref="DefaultNames"/> (the empty prefix allows every name).</param>
    /// <returns>The reason, for the log.</returns>
    public static string? Refusal(string name, string value, ICollection<string> extraNames, IReadOnlyCollection<string>? extraPrefixes = null)
    {
        if (Matches(name, DeniedNames))
        {
            return "it can make the program load or run other code";
        }

        // A value that a shell imports as a function definition (bash before and after Shellshock).
        if (value.TrimStart().StartsWith("()", StringComparison.Ordinal))
        {
            return "its value is a shell function definition";
        }

        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            return "it is malformed";
        }

        return Matches(name, DefaultNames) || extraNames.Contains(name) || (extraPrefixes is not null && extraPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            ? null
            : "it is not on the allow-list (PythonRuntime:Processes:EnvironmentVariables)";
    }

    private static bool Matches(string name, IReadOnlyList<string> patterns)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.EndsWith('*')
                ? name.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
                : string.Equals(name, pattern, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, EventName = "DroppedChildVariable", Level = LogLevel.Debug, Message = "Dropped: environment variable {Name} is not passed to a child process ({Reason})")]
        public static partial void DroppedChildVariable(ILogger logger, string name, string reason);
    }
}
