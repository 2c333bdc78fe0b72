namespace PyHosting.Providers;

/// <summary>A process provider that refuses every process: the default when child processes are not permitted.</summary>
public sealed class DenyAllPythonProcessProvider : IPythonProcessProvider
{
    /// <summary>The configuration key that permits child processes.</summary>
    public const string PermissionKey = "PythonRuntime:Permissions:CreateProcess";

    /// <inheritdoc/>
    /// <exception cref="UnauthorizedAccessException">Always (<c>EACCES</c>); the message names <see cref="PermissionKey"/>.</exception>
    public IPythonProcess Start(PythonProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        throw new UnauthorizedAccessException(
            $"starting '{startInfo.Program}' denied: {PermissionKey} is false (set it to true to let Python start child processes).");
    }
}
