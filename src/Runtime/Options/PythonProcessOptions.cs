namespace PyHosting;

/// <summary>Child processes of the Managed backend (<c>PythonRuntime:Processes</c>).</summary>
public sealed class PythonProcessOptions
{
    /// <summary>Gets the executables that may be started (names or absolute paths); empty means any, when <c>Permissions:CreateProcess</c> is true.</summary>
    public IList<string> AllowedExecutables { get; } = [];
}
