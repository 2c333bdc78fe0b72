namespace PyHosting;

/// <summary>
/// What Python code may do (<c>PythonRuntime:Permissions</c>). Every default is the safest value:
/// a runtime that can compute but touch nothing.
/// </summary>
public sealed class PythonPermissions
{
    /// <summary>Gets or sets the file access.</summary>
    /// <value>Defaults to <see cref="IOAccess.None"/>.</value>
    public IOAccess IO { get; set; } = IOAccess.None;

    /// <summary>Gets or sets a value indicating whether Python code may start threads.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool CreateThread { get; set; }

    /// <summary>Gets or sets a value indicating whether Python code may start processes (through the process provider).</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool CreateProcess { get; set; }

    /// <summary>Gets or sets a value indicating whether native code may run: <c>ctypes</c>, cffi and native extensions.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool NativeAccess { get; set; }

    /// <summary>Gets or sets a value indicating whether Python code may use the host's sockets.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool HostSockets { get; set; }

    /// <summary>Gets or sets which process environment variables Python code sees.</summary>
    /// <value>Defaults to <see cref="EnvironmentAccess.None"/>.</value>
    public EnvironmentAccess Environment { get; set; } = EnvironmentAccess.None;

    /// <summary>Gets the variables that are always visible to Python code, on top of <see cref="Environment"/>.</summary>
    public IDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
