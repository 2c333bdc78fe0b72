using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Diagnostics;
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
internal sealed class PythonRuntimeHostedService(
    IServiceProvider services,
    IOptions<PythonRuntimeOptions> options,
    PythonRuntimeHolder holder,
    ILoggerFactory loggerFactory) : IHostedLifecycleService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("PyHosting.Hosting");

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Throws OptionsValidationException for an invalid configuration: Python is never started with one.
        var validated = options.Value;
        Log.RuntimeStarting(_logger, validated.Backend);
        if (validated.Backend == PythonBackend.Native)
        {
            WarnAboutIgnoredSettings(validated);
        }

        var fileSystem = services.GetRequiredService<IPythonFileSystem>();
        var processProvider = services.GetRequiredService<IPythonProcessProvider>();
        if (validated.Backend == PythonBackend.Native)
        {
            RefuseProvidersRegisteredInCode(fileSystem, processProvider);
        }

        var runtime = PythonRuntimeFactory.Create(
            validated,
            fileSystem,
            processProvider,
            services.GetRequiredService<PythonClock>().TimeProvider,
            loggerFactory,
            services.GetRequiredService<PythonCallDiagnostics>());
        try
        {
            // Start also checks the registered native extensions, and finalises the interpreter itself when it fails.
            runtime.Start();
        }
        catch (Exception e)
        {
            Log.RuntimeStartFailed(_logger, e);
            throw;
        }

        holder.Attach(runtime);
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
        if (holder.Runtime is { IsStarted: true } runtime)
        {
            Log.RuntimeStopping(_logger);
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
        var registrations = services.GetRequiredService<PythonRuntimeRegistrations>();
        var failures = new List<string>();
        if (!registrations.IsDefault(fileSystem))
        {
            failures.Add(PythonRuntimeOptionsCustomValidator.NativeCannotUse(nameof(IPythonFileSystem), fileSystem.GetType().FullName ?? fileSystem.GetType().Name));
        }

        if (!registrations.IsDefault(processProvider))
        {
            failures.Add(PythonRuntimeOptionsCustomValidator.NativeCannotUse(nameof(IPythonProcessProvider), processProvider.GetType().FullName ?? processProvider.GetType().Name));
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PythonRuntimeOptions), failures);
        }
    }

    private void WarnAboutIgnoredSettings(PythonRuntimeOptions validated)
    {
        // Only settings someone wrote on purpose: the Native backend's defaults are documented as unenforced.
        var ignored = new List<string>();
        if (validated.FileSystem.Mounts.Count > 0)
        {
            ignored.Add(PythonRuntimeConfigurationKeys.Mounts);
        }

        if (validated.Processes.AllowedExecutables.Count > 0)
        {
            ignored.Add(PythonRuntimeConfigurationKeys.AllowedExecutables);
        }

        if (validated.Processes.EnvironmentVariables.Count > 0)
        {
            ignored.Add(PythonRuntimeOptions.SectionName + ":Processes:EnvironmentVariables");
        }

        if (ignored.Count > 0)
        {
            Log.NativeBackendIgnoresSettings(_logger, string.Join(", ", ignored));
        }
    }
}
