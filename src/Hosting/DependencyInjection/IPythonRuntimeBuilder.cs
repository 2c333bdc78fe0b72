namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures the process's Python runtime after <see cref="PythonRuntimeServiceCollectionExtensions.AddPythonRuntime"/>:
/// providers, clock and native extensions.
/// </summary>
public interface IPythonRuntimeBuilder
{
    /// <summary>Gets the service collection the runtime is registered in.</summary>
    IServiceCollection Services { get; }
}
