using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyHosting;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded Python runtime in a service collection.</summary>
public static class PythonRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the process's Python runtime: <see cref="PythonRuntimeOptions"/> bound from the
    /// <c>PythonRuntime</c> configuration section and then changed by <paramref name="configure"/>,
    /// validated when the host starts, and an <see cref="IPythonRuntime"/> that starts with the host
    /// and stops with it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options after configuration has been bound; code wins over configuration.</param>
    /// <returns>A builder to register providers, the clock and native extensions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// There is one runtime per process. Calling this method again does not add a second runtime: the
    /// configuration is bound and the services are registered once, and every <paramref name="configure"/>
    /// delegate runs on that one runtime's options, in call order, so a later call's settings (a wider
    /// <c>Permissions:IO</c>, for example) apply to the runtime the first call registered.
    /// Defaults (the file system built from <c>PythonRuntime:FileSystem:Mounts</c>, the process
    /// provider built from <c>PythonRuntime:Processes</c>) are registered only when the application
    /// has not registered its own. An invalid configuration makes <c>IHost.StartAsync</c> throw an
    /// <see cref="OptionsValidationException"/> listing every problem, before Python is started.
    /// </remarks>
    public static IPythonRuntimeBuilder AddPythonRuntime(this IServiceCollection services, Action<PythonRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        // The registrations instance doubles as the marker that makes a second call reuse the first registration.
        var registrations = services.FirstOrDefault(static d => d.ServiceType == typeof(PythonRuntimeRegistrations))?.ImplementationInstance as PythonRuntimeRegistrations;
        if (registrations is null)
        {
            registrations = new PythonRuntimeRegistrations();
            AddCoreServices(services, registrations);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new PythonRuntimeBuilder(services, registrations);
    }

    private static void AddCoreServices(IServiceCollection services, PythonRuntimeRegistrations registrations)
    {
        services.AddSingleton(registrations);

        // Binding comes first so that every Configure delegate (ours and the application's) runs after it.
        // The configuration's own problems are reported before the rules across options.
        services.AddSingleton<IConfigureOptions<PythonRuntimeOptions>, PythonRuntimeConfigureOptions>();
        services.AddSingleton<IPostConfigureOptions<PythonRuntimeOptions>, PythonRuntimePostConfigureOptions>();
        services.AddOptionsWithValidateOnStart<PythonRuntimeOptions, PythonRuntimeConfigurationValidator>();
        services.AddOptionsWithValidateOnStart<PythonRuntimeOptions, PythonRuntimeOptionsCustomValidator>();

        // The application's clock, as the Microsoft.Extensions libraries take it; WithTimeProvider replaces the runtime's own.
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new PythonClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAdd(registrations.DefaultFileSystem);
        services.TryAdd(registrations.DefaultProcessProvider);

        PythonCallDiagnostics.AddTo(services);
        services.AddSingleton<PythonRuntimeHolder>();
        services.TryAddSingleton<IPythonRuntime>(static sp => sp.GetRequiredService<PythonRuntimeHolder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PythonRuntimeHostedService>());
    }
}
