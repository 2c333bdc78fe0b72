using Microsoft.Extensions.DependencyInjection;

namespace PyHosting.Hosting.Internal;

/// <summary>The builder returned by <c>AddPythonRuntime</c>; its verbs record what they register in <see cref="Registrations"/>.</summary>
internal sealed class PythonRuntimeBuilder(IServiceCollection services, PythonRuntimeRegistrations registrations) : IPythonRuntimeBuilder
{
    public IServiceCollection Services { get; } = services;

    public string Name => Registrations.Name;

    public PythonRuntimeRegistrations Registrations { get; } = registrations;
}
