using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules and spellings of runtime names: the default runtime and the named ones of <c>PythonRuntime:Runtimes</c>.</summary>
internal static partial class RuntimeNames
{
    /// <summary>The configuration key under <c>PythonRuntime</c> that holds the named runtimes' sections.</summary>
    public const string RuntimesKey = "Runtimes";

    /// <summary>The tag value and display name of the default runtime.</summary>
    public const string DefaultDisplayName = "default";

    /// <summary>Gets the configuration section of the runtime called <paramref name="name"/>.</summary>
    /// <param name="name">The runtime's name; <see cref="Options.DefaultName"/> for the default runtime.</param>
    /// <returns><c>PythonRuntime</c>, or <c>PythonRuntime:Runtimes:{name}</c>.</returns>
    public static string SectionPath(string name) =>
        name.Length == 0 ? PythonRuntimeOptions.SectionName : $"{PythonRuntimeOptions.SectionName}:{RuntimesKey}:{name}";

    /// <summary>Gets the name a runtime is shown by in logs, metrics and traces.</summary>
    /// <param name="name">The runtime's name.</param>
    /// <returns>The name, or <see cref="DefaultDisplayName"/>.</returns>
    public static string Display(string name) => name.Length == 0 ? DefaultDisplayName : name;

    /// <summary>Throws unless <paramref name="name"/> can name a runtime and its configuration section.</summary>
    /// <param name="name">The proposed name.</param>
    /// <exception cref="ArgumentException">The name is empty, is not made of letters, digits, '-' and '_', or is <c>default</c>.</exception>
    public static void ThrowIfInvalid(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' cannot name a Python runtime: use letters, digits, '-' and '_' (it becomes the configuration section {PythonRuntimeOptions.SectionName}:{RuntimesKey}:<name>).", nameof(name));
        }

        if (string.Equals(name, DefaultDisplayName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{name}' is the name logs and metrics give the default runtime: call AddPythonRuntime() without a name for it, or choose another name.", nameof(name));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
