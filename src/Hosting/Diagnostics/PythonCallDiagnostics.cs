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
    private readonly Counter<long> _executions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _denials;
    private readonly Histogram<double> _gilWait;
    private readonly Func<long?> _memoryUsage;

    /// <summary>Initializes a new instance of the <see cref="PythonCallDiagnostics"/> class.</summary>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="timeProvider">The runtime's clock, for call durations.</param>
    /// <param name="memoryUsage">Reads the runtime's counted heap, <see langword="null"/> when nothing is counted; no gauge measurement when omitted.</param>
    public PythonCallDiagnostics(IMeterFactory meterFactory, TimeProvider timeProvider, Func<long?>? memoryUsage = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _memoryUsage = memoryUsage ?? (static () => null);
        var meter = meterFactory.Create(PythonRuntimeMetrics.MeterName);
        _executions = meter.CreateCounter<long>(
            PythonRuntimeMetrics.Executions,
            unit: "{execution}",
            description: "Python executions (ExecuteAsync, EvaluateAsync, InvokeAsync, RunFileAsync) by outcome.");
        _duration = meter.CreateHistogram(
            PythonRuntimeMetrics.ExecutionDuration,
            unit: "s",
            description: "Duration of Python executions, waiting for the GIL included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _denials = meter.CreateCounter<long>(
            PythonRuntimeMetrics.PermissionDenials,
            unit: "{denial}",
            description: "Operations of Python code refused by the Managed backend, by the permission key that would allow them.");
        _gilWait = meter.CreateHistogram(
            PythonRuntimeMetrics.GilWait,
            unit: "s",
            description: "Time each Python execution waited for the global interpreter lock.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
        meter.CreateObservableGauge(
            PythonRuntimeMetrics.MemoryUsage,
            ObserveMemoryUsage,
            unit: "By",
            description: "Bytes held by Python's heap, as counted for PythonRuntime:MemoryLimit.");
    }

    /// <summary>Registers the observer (and <see cref="IMeterFactory"/>, when the application has not) for <c>AddPythonRuntime</c>.</summary>
    /// <param name="services">The service collection.</param>
    public static void AddTo(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(static sp =>
        {
            var holder = sp.GetRequiredService<PythonRuntimeHolder>();
            return new PythonCallDiagnostics(
                sp.GetRequiredService<IMeterFactory>(),
                sp.GetRequiredService<PythonClock>().TimeProvider,
                () => holder.Runtime?.MemoryUsage);
        });
    }

    public IPythonCallObservation OnCallStarting(string entryPoint)
    {
        var activity = ActivitySource.StartActivity(PythonRuntimeTracing.ExecutionActivityName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = "python " + entryPoint;
            activity.SetTag(PythonRuntimeTracing.EntryPointTagName, entryPoint);
        }

        return new Observation(this, activity, _timeProvider.GetTimestamp());
    }

    public void OnPermissionDenied(string permissionKey)
    {
        var tag = new KeyValuePair<string, object?>(PythonRuntimeMetrics.PermissionTagName, permissionKey);
        _denials.Add(1, tag);

        // Denials happen on the thread running the call, under the call's activity.
        if (Activity.Current is { } current && ReferenceEquals(current.Source, ActivitySource))
        {
            current.AddEvent(new ActivityEvent(PythonRuntimeTracing.PermissionDeniedEventName, tags: new ActivityTagsCollection([tag])));
        }
    }

    private IEnumerable<Measurement<long>> ObserveMemoryUsage() =>
        _memoryUsage() is { } bytes ? [new Measurement<long>(bytes)] : [];

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
            owner._executions.Add(1, tag);
            owner._duration.Record(elapsed.TotalSeconds, tag);
            owner._gilWait.Record(gilWait.TotalSeconds);

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
