using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Diagnostics;

/// <summary>
/// Turns the runtime's call notifications into metrics (<see cref="PythonRuntimeMetrics"/>) and
/// activities (<see cref="PythonRuntimeTracing"/>), and publishes the interpreter's memory usage.
/// </summary>
/// <remarks>
/// The runtime calls <see cref="OnCallStarting"/> and <see cref="IPythonCallObservation.Complete"/>
/// on the runtime's call thread that runs the call (it carries the caller's execution context), so the activity is the current one while Python runs and
/// its parent is the caller's current activity. The meter belongs to the factory, which disposes it.
/// The hosted service passes this observer to <see cref="PythonRuntimeFactory"/> when it creates the runtime.
/// </remarks>
internal sealed class PythonCallDiagnostics : IPythonRuntimeObserver
{
    private static readonly ActivitySource ActivitySource = new(PythonRuntimeTracing.ActivitySourceName);

    private readonly TimeProvider _timeProvider;
    private readonly PythonRuntimeInstruments _instruments;
    private readonly KeyValuePair<string, object?> _runtimeTag;

    /// <summary>Initializes a new instance of the <see cref="PythonCallDiagnostics"/> class for a default runtime with instruments of its own.</summary>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="timeProvider">The runtime's clock, for call durations.</param>
    /// <param name="memoryUsage">Reads the runtime's counted heap, <see langword="null"/> when nothing is counted; no gauge measurement when omitted.</param>
    public PythonCallDiagnostics(IMeterFactory meterFactory, TimeProvider timeProvider, Func<long?>? memoryUsage = null)
        : this(new PythonRuntimeInstruments(meterFactory), timeProvider, RuntimeNames.DefaultDisplayName, memoryUsage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonCallDiagnostics"/> class.</summary>
    /// <param name="instruments">The instruments every runtime of the application records to.</param>
    /// <param name="timeProvider">The runtime's clock, for call durations.</param>
    /// <param name="runtime">The runtime's name, the value of the <c>runtime</c> tag.</param>
    /// <param name="memoryUsage">Reads the runtime's counted heap, <see langword="null"/> when nothing is counted.</param>
    public PythonCallDiagnostics(PythonRuntimeInstruments instruments, TimeProvider timeProvider, string runtime, Func<long?>? memoryUsage = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _instruments = instruments;
        _timeProvider = timeProvider;
        Runtime = runtime;
        _runtimeTag = new KeyValuePair<string, object?>(PythonRuntimeMetrics.RuntimeTagName, runtime);
        if (memoryUsage is not null)
        {
            instruments.ObserveMemory(runtime, memoryUsage);
        }
    }

    /// <summary>Gets the runtime's name, as tagged.</summary>
    public string Runtime { get; }

    /// <summary>Registers the instruments shared by every runtime (and <see cref="IMeterFactory"/>, when the application has not).</summary>
    /// <param name="services">The service collection.</param>
    public static void AddSharedServices(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(static sp => new PythonRuntimeInstruments(sp.GetRequiredService<IMeterFactory>()));
    }

    /// <summary>Registers the observer of one runtime for <c>AddPythonRuntime</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="registrations">The runtime.</param>
    public static void AddTo(IServiceCollection services, PythonRuntimeRegistrations registrations)
    {
        services.TryAdd(registrations.Describe(sp =>
        {
            var holder = registrations.Resolve<PythonRuntimeHolder>(sp);
            return new PythonCallDiagnostics(
                sp.GetRequiredService<PythonRuntimeInstruments>(),
                registrations.Resolve<PythonClock>(sp).TimeProvider,
                registrations.DisplayName,
                () => holder.Runtime?.MemoryUsage);
        }));
    }

    public IPythonCallObservation OnCallStarting(string entryPoint)
    {
        var activity = ActivitySource.StartActivity(PythonRuntimeTracing.ExecutionActivityName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = "python " + entryPoint;
            activity.SetTag(PythonRuntimeTracing.EntryPointTagName, entryPoint);
            activity.SetTag(PythonRuntimeTracing.RuntimeTagName, Runtime);
        }

        return new Observation(this, activity, _timeProvider.GetTimestamp());
    }

    public void OnPermissionDenied(string permissionKey)
    {
        var tag = new KeyValuePair<string, object?>(PythonRuntimeMetrics.PermissionTagName, permissionKey);
        _instruments.Denials.Add(1, tag, _runtimeTag);

        // Denials happen on the thread running the call, under the call's activity.
        if (Activity.Current is { } current && ReferenceEquals(current.Source, ActivitySource))
        {
            current.AddEvent(new ActivityEvent(PythonRuntimeTracing.PermissionDeniedEventName, tags: new ActivityTagsCollection([tag])));
        }
    }

    internal static string ToTagValue(PythonCallOutcome outcome) => outcome switch
    {
        PythonCallOutcome.Ok => "ok",
        PythonCallOutcome.Error => "error",
        PythonCallOutcome.Cancelled => "cancelled",
        PythonCallOutcome.Timeout => "timeout",
        _ => "unknown",
    };

    private sealed class Observation(PythonCallDiagnostics owner, Activity? activity, long startTimestamp) : IPythonCallObservation
    {
        public void Complete(PythonCallOutcome outcome, TimeSpan gilWait)
        {
            var elapsed = owner._timeProvider.GetElapsedTime(startTimestamp);
            var value = ToTagValue(outcome);
            var tag = new KeyValuePair<string, object?>(PythonRuntimeMetrics.OutcomeTagName, value);
            owner._instruments.Executions.Add(1, tag, owner._runtimeTag);
            owner._instruments.Duration.Record(elapsed.TotalSeconds, tag, owner._runtimeTag);
            owner._instruments.GilWait.Record(gilWait.TotalSeconds, owner._runtimeTag);

            if (activity is not null)
            {
                activity.SetTag(PythonRuntimeTracing.OutcomeTagName, value);
                if (outcome != PythonCallOutcome.Ok)
                {
                    activity.SetStatus(ActivityStatusCode.Error, value);
                }

                activity.Dispose();
            }
        }
    }
}
