using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Marks a service collection in which <c>AddPythonRuntime</c> ran, and tells the default providers
/// apart from providers the application registered in code (the Native backend cannot honour the latter).
/// </summary>
/// <remarks>
/// The defaults are told apart by descriptor identity: they are registered with TryAdd, so an
/// application registration made before <c>AddPythonRuntime</c> keeps ours out, and one made after
/// it is the last descriptor, which is the one the service provider resolves.
/// </remarks>
internal sealed class PythonRuntimeRegistrations
{
    private readonly IServiceCollection _services;

    public PythonRuntimeRegistrations(IServiceCollection services)
    {
        _services = services;
        DefaultFileSystem = ServiceDescriptor.Singleton<IPythonFileSystem>(static sp => DefaultPythonProviders.CreateFileSystem(
            sp.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value,
            ContentRoot.Get(sp),
            sp.GetRequiredService<PythonClock>().TimeProvider));
        DefaultProcessProvider = ServiceDescriptor.Singleton<IPythonProcessProvider>(static sp => DefaultPythonProviders.CreateProcessProvider(
            sp.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value));
    }

    /// <summary>Gets the registration of the default file system (the mount table from configuration).</summary>
    public ServiceDescriptor DefaultFileSystem { get; }

    /// <summary>Gets the registration of the default process provider (from <c>PythonRuntime:Processes</c>).</summary>
    public ServiceDescriptor DefaultProcessProvider { get; }

    /// <summary>Describes the file system registered in code, or returns <see langword="null"/> when the default is used.</summary>
    /// <returns>The implementation's type name, or <see langword="null"/>.</returns>
    public string? DescribeCodeFileSystem() => DescribeCodeRegistration(typeof(IPythonFileSystem), DefaultFileSystem);

    /// <summary>Describes the process provider registered in code, or returns <see langword="null"/> when the default is used.</summary>
    /// <returns>The implementation's type name, or <see langword="null"/>.</returns>
    public string? DescribeCodeProcessProvider() => DescribeCodeRegistration(typeof(IPythonProcessProvider), DefaultProcessProvider);

    private string? DescribeCodeRegistration(Type serviceType, ServiceDescriptor defaultDescriptor)
    {
        ServiceDescriptor? last = null;
        foreach (var descriptor in _services)
        {
            if (descriptor.ServiceType == serviceType && !descriptor.IsKeyedService)
            {
                last = descriptor;
            }
        }

        if (last is null || ReferenceEquals(last, defaultDescriptor))
        {
            return null;
        }

        var type = last.ImplementationType ?? last.ImplementationInstance?.GetType();
        return type?.FullName ?? $"a factory registered for {serviceType.Name}";
    }
}
