namespace PyHosting;

/// <summary>Which environment variables Python code sees (<c>PythonRuntime:Permissions:Environment</c>).</summary>
public enum EnvironmentAccess
{
    /// <summary>Only <see cref="PythonPermissions.EnvironmentVariables"/>. The default.</summary>
    None = 0,

    /// <summary>The host process's environment, plus <see cref="PythonPermissions.EnvironmentVariables"/>.</summary>
    Inherit = 1,
}
