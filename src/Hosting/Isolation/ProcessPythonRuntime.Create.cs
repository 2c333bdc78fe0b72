using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Isolation;

/// <summary>Creation from the host's services, with the confinement decision.</summary>
internal sealed partial class ProcessPythonRuntime
{
    /// <summary>Creates the runtime of <c>Isolation:Mode=Process</c>, deciding whether workers are confined.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="services">The host's services.</param>
    /// <param name="timeProvider">The clock of timeouts.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <param name="observer">Observes calls.</param>
    /// <param name="providers">The providers the host serves the workers.</param>
    /// <returns>The runtime, not started.</returns>
    /// <exception cref="PythonStartupException">Confinement is required and unavailable, or the worker cannot be found.</exception>
    public static ProcessPythonRuntime Create(PythonRuntimeOptions options, IServiceProvider services, TimeProvider timeProvider, ILoggerFactory loggerFactory, IPythonRuntimeObserver? observer, BrokeredProviders providers)
    {
        var logger = loggerFactory.CreateLogger("PyHosting.Hosting");
        var confine = false;
        if (options.Isolation.Confinement != PythonConfinement.None)
        {
            confine = WorkerLauncher.CanConfine(out var reason);
            if (!confine && options.Isolation.Confinement == PythonConfinement.Required)
            {
                throw new PythonStartupException(
                    $"{options.Key(PythonRuntimeConfigurationKeys.IsolationConfinement)} is Required but workers cannot be confined: {reason}. Make confinement available, or set {options.Key(PythonRuntimeConfigurationKeys.IsolationConfinement)}=Auto to run unconfined with a warning.");
            }

            if (!confine)
            {
                Log.ConfinementUnavailable(logger, reason);
            }
        }

        var contentRoot = ContentRoot.Get(services);
        var launcher = new WorkerLauncher(providers.FileSystem is null ? options : WithoutMounts(options, contentRoot), contentRoot, confine);
        var metrics = new WorkerMetrics(services.GetRequiredService<IMeterFactory>(), (observer as PythonCallDiagnostics)?.Runtime ?? "default");
        return new ProcessPythonRuntime(options, launcher, timeProvider, loggerFactory, observer, metrics, providers);
    }

    /// <summary>
    /// A copy of <paramref name="options"/> without the configured mounts, for the launcher of workers whose file system
    /// is brokered: the host serves every file, so no mount's directory is bound into the confinement, where native
    /// code could reach it past what the file system in code allows (a read-only decorator over a writable mount, say).
    /// </summary>
    private static PythonRuntimeOptions WithoutMounts(PythonRuntimeOptions options, string contentRoot)
    {
        var settings = WorkerSettings.From(options, contentRoot);
        BrokeredProviders.RemoveMounts(settings);
        var copy = new PythonRuntimeOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(PythonRuntimeOptions.SectionName).Bind(copy);
        return copy;
    }
}
