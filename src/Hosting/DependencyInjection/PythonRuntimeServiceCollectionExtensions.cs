using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers embedded Python runtimes in a service collection.</summary>
public static class PythonRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the default Python runtime: <see cref="PythonRuntimeOptions"/> bound from the
    /// <c>PythonRuntime</c> configuration section and then changed by <paramref name="configure"/>,
    /// validated when the host starts, and an <see cref="IPythonRuntime"/> that starts with the host
    /// and stops with it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options after configuration has been bound; code wins over configuration.</param>
    /// <returns>A builder to register providers, the clock and native extensions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>
    /// Calling this method again does not add a second runtime: following the Options convention, the configuration
    /// is bound and the services are registered once, and every <paramref name="configure"/> delegate runs on that
    /// one runtime's options, in call order, so a later call's settings (a wider <c>Permissions:IO</c>, for example)
    /// apply to the runtime the first call registered. To run code of another trust level next to it, add a named
    /// runtime with <see cref="AddPythonRuntime(IServiceCollection, string, Action{PythonRuntimeOptions}?)"/>.
    /// </para>
    /// <para>
    /// Defaults (the file system built from <c>PythonRuntime:FileSystem:Mounts</c>, the process
    /// provider built from <c>PythonRuntime:Processes</c>) are registered only when the application
    /// has not registered its own. An invalid configuration makes <c>IHost.StartAsync</c> throw an
    /// <see cref="OptionsValidationException"/> listing every problem, before Python is started.
    /// </para>
    /// </remarks>
#pragma warning disable RS0026 // The overloads differ by a required parameter (the name), so no call can bind to both.
    public static IPythonRuntimeBuilder AddPythonRuntime(this IServiceCollection services, Action<PythonRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Add(services, Options.Options.DefaultName, configure);
    }

    /// <summary>
    /// Adds a named Python runtime next to the default one (or instead of it): its <see cref="PythonRuntimeOptions"/> are
    /// bound from <c>PythonRuntime:Runtimes:{name}</c> and changed by <paramref name="configure"/>, validated when the host
    /// starts, and it is resolved as the keyed service <c>[FromKeyedServices(name)] IPythonRuntime</c> or through
    /// <see cref="IPythonRuntimeProvider.Get(string)"/>. Each runtime has its own backend, permissions, mounts, module paths,
    /// native extensions, limits and isolation, and its own providers (the builder's <c>WithFileSystem</c>,
    /// <c>WithProcessProvider</c>, <c>WithTimeProvider</c>, <c>DecorateFileSystem</c> and <c>AddNativeExtension</c> apply to
    /// this runtime only).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The runtime's name: letters, digits, '-' and '_' (it names the configuration section and the keyed services).</param>
    /// <param name="configure">Changes the options after configuration has been bound; code wins over configuration.</param>
    /// <returns>A builder to register the runtime's providers, clock and native extensions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid runtime name, or is <c>default</c> (the name logs and metrics give the default runtime).</exception>
    /// <remarks>
    /// <para>
    /// CPython exists once per process, so at most one runtime of a host may use <c>Isolation:Mode=InProcess</c>; the
    /// others must use <c>Isolation:Mode=Process</c>, or the host fails to start naming both runtimes' keys.
    /// </para>
    /// <para>
    /// Calling this method again with the same name does not add a second runtime: as for the default runtime, the
    /// <paramref name="configure"/> delegates compose on that runtime's options in call order. Runtimes start with the
    /// host in registration order and stop in the reverse order.
    /// </para>
    /// </remarks>
    public static IPythonRuntimeBuilder AddPythonRuntime(this IServiceCollection services, string name, Action<PythonRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        RuntimeNames.ThrowIfInvalid(name);
        return Add(services, name, configure);
    }
#pragma warning restore RS0026

    private static PythonRuntimeBuilder Add(IServiceCollection services, string name, Action<PythonRuntimeOptions>? configure)
    {
        // The catalog instance doubles as the marker that makes later calls reuse the shared registrations.
        var catalog = services.FirstOrDefault(static d => d.ServiceType == typeof(PythonRuntimeCatalog) && !d.IsKeyedService)?.ImplementationInstance as PythonRuntimeCatalog;
        if (catalog is null)
        {
            catalog = new PythonRuntimeCatalog();
            AddSharedServices(services, catalog);
        }

        if (!catalog.TryGet(name, out var registrations))
        {
            registrations = new PythonRuntimeRegistrations(name);
            catalog.Add(registrations);
            AddRuntimeServices(services, registrations);
        }

        if (configure is not null)
        {
            services.Configure(name, configure);
        }

        return new PythonRuntimeBuilder(services, registrations);
    }

    private static void AddSharedServices(IServiceCollection services, PythonRuntimeCatalog catalog)
    {
        services.AddSingleton(catalog);

        // Binding comes first so that every Configure delegate (ours and the application's) runs after it.
        // The configuration's own problems are reported before the rules across options.
        services.AddSingleton<IConfigureOptions<PythonRuntimeOptions>, PythonRuntimeConfigureOptions>();
        services.AddSingleton<IPostConfigureOptions<PythonRuntimeOptions>, PythonRuntimePostConfigureOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PythonRuntimeOptions>, PythonRuntimeConfigurationValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PythonRuntimeOptions>, PythonRuntimeOptionsCustomValidator>());

        // The application's clock, as the Microsoft.Extensions libraries take it; WithTimeProvider replaces a runtime's own.
        services.TryAddSingleton(TimeProvider.System);
        PythonCallDiagnostics.AddSharedServices(services);
        services.TryAddSingleton<IPythonRuntimeProvider, PythonRuntimeProvider>();
    }

    private static void AddRuntimeServices(IServiceCollection services, PythonRuntimeRegistrations registrations)
    {
        services.Add(registrations.DescribeInstance(registrations));
        services.AddOptions<PythonRuntimeOptions>(registrations.Name).ValidateOnStart();
        services.TryAdd(registrations.Describe(static sp => new PythonClock(sp.GetRequiredService<TimeProvider>())));
        services.TryAdd(registrations.DefaultFileSystem);
        services.TryAdd(registrations.DefaultProcessProvider);

        PythonCallDiagnostics.AddTo(services, registrations);
        services.Add(registrations.Describe(sp => new PythonRuntimeHolder(registrations, sp)));
        services.TryAdd(registrations.Describe<IPythonRuntime>(registrations.Resolve<PythonRuntimeHolder>));

        // One hosted service per runtime: the host starts them in registration order and stops them in reverse.
        services.AddSingleton<IHostedService>(sp => new PythonRuntimeHostedService(sp, registrations, sp.GetRequiredService<ILoggerFactory>()));
    }
}
