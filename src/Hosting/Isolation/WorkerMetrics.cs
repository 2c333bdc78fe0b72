using System.Diagnostics.Metrics;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Hosting.Isolation;

/// <summary>The metrics of worker processes: restarts by reason, and the number running.</summary>
internal sealed class WorkerMetrics
{
    private readonly Counter<long> _restarts;
    private readonly KeyValuePair<string, object?> _runtimeTag;
    private int _running;

    /// <summary>Initializes a new instance of the <see cref="WorkerMetrics"/> class.</summary>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="runtime">The runtime's name (the <c>runtime</c> tag): the name given to <c>AddPythonRuntime(name)</c>, or <c>default</c>.</param>
    public WorkerMetrics(IMeterFactory meterFactory, string runtime = "default")
    {
        _runtimeTag = new KeyValuePair<string, object?>(PythonRuntimeMetrics.RuntimeTagName, runtime);
        var meter = meterFactory.Create(PythonRuntimeMetrics.MeterName);
        _restarts = meter.CreateCounter<long>(PythonRuntimeMetrics.WorkerRestarts, unit: "{restart}", description: "Python worker processes replaced, by reason.");
        meter.CreateObservableGauge(PythonRuntimeMetrics.WorkerCount, () => new Measurement<int>(Volatile.Read(ref _running), _runtimeTag), unit: "{process}", description: "Python worker processes running.");
    }

    /// <summary>Gets the number of workers running.</summary>
    public int Running => Volatile.Read(ref _running);

    public void WorkerStarted() => Interlocked.Increment(ref _running);

    public void WorkerEnded() => Interlocked.Decrement(ref _running);

    public void Restart(string reason) => _restarts.Add(1, new KeyValuePair<string, object?>(PythonRuntimeMetrics.ReasonTagName, reason), _runtimeTag);
}
