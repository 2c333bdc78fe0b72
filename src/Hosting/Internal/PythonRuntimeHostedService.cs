using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Isolation;
using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Owns the runtime's lifetime: creates and starts it when the host starts (before any hosted
/// service's <c>StartAsync</c>, so workers registered earlier can use it), and stops it after every
/// hosted service has stopped.
/// </summary>
/// <remarks>
/// Providers are resolved here, not injected: the host creates hosted services before it runs
/// options validation, and the default providers are built from the (then validated) options.
/// Starting CPython blocks; it runs on the calling thread and nothing is held across an await
/// (the registered native extensions are then looked up through an ordinary runtime call).
/// </remarks>
/// <param name="services">The application's services.</param>
/// <param name="registrations">The runtime this service owns: one hosted service per registered runtime.</param>
/// <param name="loggerFactory">Loggers.</param>
internal sealed class PythonRuntimeHostedService(
    IServiceProvider services,
    PythonRuntimeRegistrations registrations,
    ILoggerFactory loggerFactory) : IHostedLifecycleService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("PyHosting.Hosting");
    private readonly PythonRuntimeHolder _holder = registrations.Resolve<PythonRuntimeHolder>(services);

    /// <summary>Gets the runtime's registrations.</summary>
    public PythonRuntimeRegistrations Registrations => registrations;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Throws OptionsValidationException for an invalid configuration: Python is never started with one.
        var validated = registrations.GetOptions(services);
        Log.RuntimeStarting(_logger, registrations.DisplayName, validated.Backend);
        if (validated.Backend == PythonBackend.Native)
        {
            WarnAboutIgnoredSettings(validated);
        }

        var fileSystem = registrations.Resolve<IPythonFileSystem>(services);
        var processProvider = registrations.Resolve<IPythonProcessProvider>(services);

        // With process isolation, what the application supplied in code is served to the workers from here; the stock
        // providers built from configuration are built again inside each worker.
        var fileSystemInCode = !registrations.IsDefault(fileSystem) || registrations.FileSystemDecoratorCount > 0;
        var processesInCode = !registrations.IsDefault(processProvider);
        if (validated.Backend == PythonBackend.Native)
        {
            RefuseProvidersRegisteredInCode(fileSystem, processProvider);
            if (registrations.FileSystemDecoratorCount > 0)
            {
                Log.FileSystemDecoratorsNotApplied(_logger, registrations.DisplayName, registrations.FileSystemDecoratorCount);
            }
        }
        else
        {
            fileSystem = registrations.DecorateFileSystem(services, fileSystem);
        }

        IStartablePythonRuntime runtime;
        try
        {
            runtime = validated.Isolation.Mode == PythonIsolationMode.Process
                ? ProcessPythonRuntime.Create(
                    validated,
                    services,
                    registrations.Resolve<PythonClock>(services).TimeProvider,
                    loggerFactory,
                    registrations.Resolve<PythonCallDiagnostics>(services),
                    BrokeredProviders.For(validated, fileSystemInCode ? fileSystem : null, processesInCode ? processProvider : null, registrations.Resolve<PythonClock>(services).TimeProvider))
                : PythonRuntimeFactory.Create(
                    validated,
                    fileSystem,
                    processProvider,
                    registrations.Resolve<PythonClock>(services).TimeProvider,
                    loggerFactory,
                    registrations.Resolve<PythonCallDiagnostics>(services));
        }
        catch (PythonStartupException e)
        {
            Log.RuntimeStartFailed(_logger, registrations.DisplayName, e);
            throw;
        }

        try
        {
            // Start also checks the registered native extensions, and finalises the interpreter itself when it fails.
            runtime.Start();
        }
        catch (Exception e)
        {
            Log.RuntimeStartFailed(_logger, registrations.DisplayName, e);
            throw;
        }

        _holder.Attach(runtime);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Stops the runtime when the host is disposed without having been stopped (after a failed start, for example).</summary>
    public void Dispose() => Stop();

    private void Stop()
    {
        if (_holder.Runtime is { IsStarted: true } runtime)
        {
            Log.RuntimeStopping(_logger, registrations.DisplayName);
            runtime.Stop();
        }
    }

    /// <summary>
    /// Refuses providers the Native backend cannot honour that were registered on the service collection
    /// directly rather than through the builder (whose calls validation has already judged): anything that
    /// is not a default provider built from configuration.
    /// </summary>
    private void RefuseProvidersRegisteredInCode(IPythonFileSystem fileSystem, IPythonProcessProvider processProvider)
    {
        var failures = new List<string>();
        if (!registrations.IsDefault(fileSystem))
        {
            failures.Add(PythonRuntimeOptionsCustomValidator.NativeCannotUse(nameof(IPythonFileSystem), fileSystem.GetType().FullName ?? fileSystem.GetType().Name, RuntimeNames.SectionPath(registrations.Name)));
        }

        if (!registrations.IsDefault(processProvider))
        {
            failures.Add(PythonRuntimeOptionsCustomValidator.NativeCannotUse(nameof(IPythonProcessProvider), processProvider.GetType().FullName ?? processProvider.GetType().Name, RuntimeNames.SectionPath(registrations.Name)));
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(registrations.Name, typeof(PythonRuntimeOptions), failures);
        }
    }

    private void WarnAboutIgnoredSettings(PythonRuntimeOptions validated)
    {
        // Only settings someone wrote on purpose: the Native backend's defaults are documented as unenforced.
        var ignored = new List<string>();
        if (validated.FileSystem.Mounts.Count > 0)
        {
            ignored.Add(validated.Key(PythonRuntimeConfigurationKeys.Mounts));
        }

        if (validated.Processes.AllowedExecutables.Count > 0)
        {
            ignored.Add(validated.Key(PythonRuntimeConfigurationKeys.AllowedExecutables));
        }

        if (validated.Processes.EnvironmentVariables.Count > 0)
        {
            ignored.Add(validated.Key(PythonRuntimeConfigurationKeys.ProcessEnvironmentVariables));
        }

        if (ignored.Count > 0)
        {
            Log.NativeBackendIgnoresSettings(_logger, registrations.DisplayName, string.Join(", ", ignored));
        }
    }
}
