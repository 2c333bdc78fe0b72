using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the health check of the Python runtime.</summary>
public static class PythonRuntimeHealthCheckBuilderExtensions
{
    /// <summary>The default name of the health check: <c>PythonRuntime</c>.</summary>
    public const string DefaultName = "PythonRuntime";

    /// <summary>How long the interpreter has to answer before the check fails.</summary>
    internal static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Adds a health check (Microsoft.Extensions.Diagnostics.HealthChecks) that evaluates a trivial
    /// expression: Healthy when the interpreter answers within one second; <paramref name="failureStatus"/>
    /// when the runtime has not started, has stopped, fails or does not answer (hung, or a call holds the GIL).
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="name">The check's name; <see cref="DefaultName"/> by default, and <c>PythonRuntime:{runtime}</c> for a named runtime's builder.</param>
    /// <param name="failureStatus">The status reported on failure; <see cref="HealthStatus.Unhealthy"/> by default.</param>
    /// <param name="tags">Tags to filter checks by, for example <c>live</c> or <c>ready</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The probe is an ordinary call: it appears in the metrics and traces. Its timeout is measured
    /// with the runtime's clock (<c>WithTimeProvider</c>).
    /// </remarks>
    public static IPythonRuntimeBuilder AddHealthCheck(this IPythonRuntimeBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);

        // One instance per runtime, whatever the number of registrations: it remembers the probe in flight.
        var registrations = builder is PythonRuntimeBuilder known
            ? known.Registrations
            : ((PythonRuntimeBuilder)(builder.Name.Length == 0 ? builder.Services.AddPythonRuntime() : builder.Services.AddPythonRuntime(builder.Name))).Registrations;
        builder.Services.TryAdd(registrations.Describe(sp => new PythonRuntimeHealthCheck(
            registrations.Resolve<PythonRuntimeHolder>(sp),
            registrations.Resolve<PythonClock>(sp).TimeProvider,
            ProbeTimeout,
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("PyHosting.Hosting"))));
        var checkName = registrations.IsDefaultRuntime || name != DefaultName ? name : $"{DefaultName}:{registrations.Name}";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            checkName,
            sp => registrations.Resolve<PythonRuntimeHealthCheck>(sp),
            failureStatus,
            tags));
        return builder;
    }
}
