using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.TestHost;

/// <summary>Reads the current value of the runtime's observable gauges (e.g. <c>pyhosting.memory.usage</c>) on request.</summary>
internal sealed class GaugeReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _values = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public GaugeReader()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == PythonRuntimeMetrics.MeterName && instrument.IsObservable)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _values[instrument.Name] = value);
        _listener.Start();
    }

    /// <summary>Observes every gauge now and returns the value of <paramref name="name"/>, or <see langword="null"/> when it reported none.</summary>
    public long? Read(string name)
    {
        lock (_gate)
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return _values.TryGetValue(name, out var value) ? value : null;
        }
    }

    public void Dispose() => _listener.Dispose();
}
