using Microsoft.Extensions.DependencyInjection;

namespace PyHosting.Hosting.Internal;

/// <summary>The builder returned by <c>AddPythonRuntime</c>.</summary>
internal sealed class PythonRuntimeBuilder(IServiceCollection services) : IPythonRuntimeBuilder
{
    public IServiceCollection Services { get; } = services;
}
