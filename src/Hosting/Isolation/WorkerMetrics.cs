using System.Diagnostics.Metrics;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Hosting.Isolation;

/// <summary>The metrics of worker processes: restarts by reason, and the number running.</summary>
internal sealed class WorkerMetrics
{
    private readonly Counter<long> _restarts;
    private int _running;

    public WorkerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(PythonRuntimeMetrics.MeterName);
        _restarts = meter.CreateCounter<long>(PythonRuntimeMetrics.WorkerRestarts, unit: "{restart}", description: "Python worker processes replaced, by reason.");
        meter.CreateObservableGauge(PythonRuntimeMetrics.WorkerCount, () => Volatile.Read(ref _running), unit: "{process}", description: "Python worker processes running.");
    }

    /// <summary>Gets the number of workers running.</summary>
    public int Running => Volatile.Read(ref _running);

    public void WorkerStarted() => Interlocked.Increment(ref _running);

    public void WorkerEnded() => Interlocked.Decrement(ref _running);

    public void Restart(string reason) => _restarts.Add(1, new KeyValuePair<string, object?>(PythonRuntimeMetrics.ReasonTagName, reason));
}
