namespace PyHosting;

/// <summary>
/// The full configuration keys of <see cref="PythonRuntimeOptions"/>, spelled once: startup validation
/// names them in its messages, permission refusals name them in Python's <c>PermissionError</c>, and the
/// <c>permission</c> tag of the <c>pyhosting.permission.denials</c> metric holds one of them.
/// </summary>
public static class PythonRuntimeConfigurationKeys
{
    /// <summary>The section: <c>PythonRuntime</c>.</summary>
    public const string Section = PythonRuntimeOptions.SectionName;

    /// <summary><c>PythonRuntime:Backend</c>, see <see cref="PythonRuntimeOptions.Backend"/>.</summary>
    public const string Backend = Section + ":Backend";

    /// <summary><c>PythonRuntime:PythonLibrary</c>, see <see cref="PythonRuntimeOptions.PythonLibrary"/>.</summary>
    public const string PythonLibrary = Section + ":PythonLibrary";

    /// <summary><c>PythonRuntime:ExecutionTimeout</c>, see <see cref="PythonRuntimeOptions.ExecutionTimeout"/>.</summary>
    public const string ExecutionTimeout = Section + ":ExecutionTimeout";

    /// <summary><c>PythonRuntime:MemoryLimit</c>, see <see cref="PythonRuntimeOptions.MemoryLimit"/>.</summary>
    public const string MemoryLimit = Section + ":MemoryLimit";

    /// <summary><c>PythonRuntime:Permissions</c>, see <see cref="PythonRuntimeOptions.Permissions"/>.</summary>
    public const string Permissions = Section + ":Permissions";

    /// <summary><c>PythonRuntime:Permissions:IO</c>, see <see cref="PythonPermissions.IO"/>.</summary>
    public const string IO = Permissions + ":IO";

    /// <summary><c>PythonRuntime:Permissions:CreateThread</c>, see <see cref="PythonPermissions.CreateThread"/>.</summary>
    public const string CreateThread = Permissions + ":CreateThread";

    /// <summary><c>PythonRuntime:Permissions:CreateProcess</c>, see <see cref="PythonPermissions.CreateProcess"/>.</summary>
    public const string CreateProcess = Permissions + ":CreateProcess";

    /// <summary><c>PythonRuntime:Permissions:NativeAccess</c>, see <see cref="PythonPermissions.NativeAccess"/>.</summary>
    public const string NativeAccess = Permissions + ":NativeAccess";

    /// <summary><c>PythonRuntime:Permissions:HostSockets</c>, see <see cref="PythonPermissions.HostSockets"/>.</summary>
    public const string HostSockets = Permissions + ":HostSockets";

    /// <summary><c>PythonRuntime:Permissions:Environment</c>, see <see cref="PythonPermissions.Environment"/>.</summary>
    public const string Environment = Permissions + ":Environment";

    /// <summary><c>PythonRuntime:Permissions:EnvironmentVariables</c>, see <see cref="PythonPermissions.EnvironmentVariables"/>.</summary>
    public const string EnvironmentVariables = Permissions + ":EnvironmentVariables";

    /// <summary><c>PythonRuntime:NativeExtensions</c>, see <see cref="PythonRuntimeOptions.NativeExtensions"/>.</summary>
    public const string NativeExtensions = Section + ":NativeExtensions";

    /// <summary><c>PythonRuntime:ModulePaths</c>, see <see cref="PythonRuntimeOptions.ModulePaths"/>.</summary>
    public const string ModulePaths = Section + ":ModulePaths";

    /// <summary><c>PythonRuntime:VirtualEnvironment</c>, see <see cref="PythonRuntimeOptions.VirtualEnvironment"/>.</summary>
    public const string VirtualEnvironment = Section + ":VirtualEnvironment";

    /// <summary><c>PythonRuntime:Processes:AllowedExecutables</c>, see <see cref="PythonProcessOptions.AllowedExecutables"/>.</summary>
    public const string AllowedExecutables = Section + ":Processes:AllowedExecutables";

    /// <summary><c>PythonRuntime:FileSystem:WorkingDirectory</c>, see <see cref="PythonFileSystemOptions.WorkingDirectory"/>.</summary>
    public const string WorkingDirectory = Section + ":FileSystem:WorkingDirectory";

    /// <summary><c>PythonRuntime:Processes:EnvironmentVariables</c>, see <see cref="PythonProcessOptions.EnvironmentVariables"/>.</summary>
    public const string ProcessEnvironmentVariables = Section + ":Processes:EnvironmentVariables";

    /// <summary><c>PythonRuntime:FileSystem:Mounts</c>, see <see cref="PythonFileSystemOptions.Mounts"/>.</summary>
    public const string Mounts = Section + ":FileSystem:Mounts";

    /// <summary><c>PythonRuntime:Isolation</c>, see <see cref="PythonRuntimeOptions.Isolation"/>.</summary>
    public const string Isolation = Section + ":Isolation";

    /// <summary><c>PythonRuntime:Isolation:Mode</c>, see <see cref="PythonIsolationOptions.Mode"/>.</summary>
    public const string IsolationMode = Isolation + ":Mode";

    /// <summary><c>PythonRuntime:Isolation:Confinement</c>, see <see cref="PythonIsolationOptions.Confinement"/>.</summary>
    public const string IsolationConfinement = Isolation + ":Confinement";

    /// <summary><c>PythonRuntime:Isolation:CallGracePeriod</c>, see <see cref="PythonIsolationOptions.CallGracePeriod"/>.</summary>
    public const string IsolationCallGracePeriod = Isolation + ":CallGracePeriod";

    /// <summary><c>PythonRuntime:Isolation:RecycleAfterCalls</c>, see <see cref="PythonIsolationOptions.RecycleAfterCalls"/>.</summary>
    public const string IsolationRecycleAfterCalls = Isolation + ":RecycleAfterCalls";

    /// <summary><c>PythonRuntime:Isolation:MinWorkers</c>, see <see cref="PythonIsolationOptions.MinWorkers"/>.</summary>
    public const string IsolationMinWorkers = Isolation + ":MinWorkers";

    /// <summary><c>PythonRuntime:Isolation:MaxWorkers</c>, see <see cref="PythonIsolationOptions.MaxWorkers"/>.</summary>
    public const string IsolationMaxWorkers = Isolation + ":MaxWorkers";

    /// <summary><c>PythonRuntime:Isolation:MaxQueuedCalls</c>, see <see cref="PythonIsolationOptions.MaxQueuedCalls"/>.</summary>
    public const string IsolationMaxQueuedCalls = Isolation + ":MaxQueuedCalls";

    /// <summary><c>PythonRuntime:Isolation:Preload</c>, see <see cref="PythonIsolationOptions.Preload"/>.</summary>
    public const string IsolationPreload = Isolation + ":Preload";
}
