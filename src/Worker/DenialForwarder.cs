using System.Diagnostics.Metrics;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Worker;

/// <summary>
/// Forwards the refusals of the worker's Managed backend to the host, which counts and traces them as its own
/// (<c>pyhosting.permission.denials</c>): the worker's runtime publishes them on its meter, which this listens to.
/// </summary>
internal sealed class DenialForwarder : IDisposable
{
    private readonly MeterListener _listener = new();

    public DenialForwarder(FrameChannel channel)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PythonRuntimeMetrics.MeterName && instrument.Name == PythonRuntimeMetrics.PermissionDenials)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == PythonRuntimeMetrics.PermissionTagName && tag.Value is string key)
                {
                    try
                    {
                        channel.Write(new WorkerMessage { Kind = MessageKind.Denied, Text = key });
                    }
                    catch (IOException)
                    {
                        // The host has gone; the read loop ends the worker.
                    }
                }
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
