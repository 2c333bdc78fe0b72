using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PyHosting.Hosting.Diagnostics;

/// <summary>
/// The instruments of <see cref="PythonRuntimeMetrics.MeterName"/>, created once per application and shared by its
/// runtimes, which tell their measurements apart by the <see cref="PythonRuntimeMetrics.RuntimeTagName"/> tag. The meter
/// belongs to the factory, which disposes it.
/// </summary>
internal sealed class PythonRuntimeInstruments
{
    private readonly ConcurrentDictionary<string, Func<long?>> _memoryUsage = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeInstruments"/> class.</summary>
    /// <param name="meterFactory">Creates the meter.</param>
    public PythonRuntimeInstruments(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(PythonRuntimeMetrics.MeterName);
        Executions = meter.CreateCounter<long>(
            PythonRuntimeMetrics.Executions,
            unit: "{execution}",
            description: "Python executions (ExecuteAsync, EvaluateAsync, InvokeAsync, RunFileAsync) by outcome.");
        Duration = meter.CreateHistogram(
            PythonRuntimeMetrics.ExecutionDuration,
            unit: "s",
            description: "Duration of Python executions, waiting for the GIL included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        Denials = meter.CreateCounter<long>(
            PythonRuntimeMetrics.PermissionDenials,
            unit: "{denial}",
            description: "Operations of Python code refused by the Managed backend, by the permission key that would allow them.");
        GilWait = meter.CreateHistogram(
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

    /// <summary>Gets the counter of executions.</summary>
    public Counter<long> Executions { get; }

    /// <summary>Gets the histogram of execution durations.</summary>
    public Histogram<double> Duration { get; }

    /// <summary>Gets the counter of permission denials.</summary>
    public Counter<long> Denials { get; }

    /// <summary>Gets the histogram of GIL waits.</summary>
    public Histogram<double> GilWait { get; }

    /// <summary>Adds a runtime's heap to the memory gauge.</summary>
    /// <param name="runtime">The runtime's name.</param>
    /// <param name="memoryUsage">Reads its counted heap, <see langword="null"/> when nothing is counted.</param>
    public void ObserveMemory(string runtime, Func<long?> memoryUsage) => _memoryUsage[runtime] = memoryUsage;

    private IEnumerable<Measurement<long>> ObserveMemoryUsage()
    {
        foreach (var (runtime, read) in _memoryUsage)
        {
            if (read() is { } bytes)
            {
                yield return new Measurement<long>(bytes, new KeyValuePair<string, object?>(PythonRuntimeMetrics.RuntimeTagName, runtime));
            }
        }
    }
}
