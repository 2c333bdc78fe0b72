using PyHosting.Internal.Managed.State;

namespace PyHosting;

/// <summary>
/// The rules for the environment a child process of the Managed backend receives: variables on an allow-list only
/// (<see cref="DefaultNames"/>, plus the names of <c>PythonRuntime:Permissions:EnvironmentVariables</c> and
/// <c>PythonRuntime:Processes:EnvironmentVariables</c>), and never one of <see cref="NeverPassedNames"/>, which change
/// how a program is loaded or interpreted.
/// </summary>
public static class PythonChildEnvironment
{
    /// <summary>Gets the names every child may receive (<c>LC_*</c> is a prefix).</summary>
    public static IReadOnlyList<string> DefaultNames => ChildEnvironment.DefaultNames;

    /// <summary>Gets the names (or prefixes ending in <c>*</c>) that never reach a child, whatever the allow-list says.</summary>
    public static IReadOnlyList<string> NeverPassedNames => ChildEnvironment.DeniedNames;

    /// <summary>Says why a variable named <paramref name="name"/> never reaches a child even when it is listed, or returns <see langword="null"/>.</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>The reason, or <see langword="null"/> when listing the name lets it through.</returns>
    public static string? WhyNeverPassed(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ChildEnvironment.Refusal(name, string.Empty, [name]);
    }
}
