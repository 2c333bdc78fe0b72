namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures one Python runtime after <see cref="PythonRuntimeServiceCollectionExtensions.AddPythonRuntime(IServiceCollection, System.Action{PyHosting.PythonRuntimeOptions}?)"/>
/// or its named form: providers, clock and native extensions.
/// </summary>
public interface IPythonRuntimeBuilder
{
    /// <summary>Gets the service collection the runtime is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>Gets the runtime's name: the empty string for the default runtime.</summary>
    string Name => Microsoft.Extensions.Options.Options.DefaultName;
}
