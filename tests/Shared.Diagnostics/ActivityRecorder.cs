using System.Collections.Concurrent;
using System.Diagnostics;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Testing.Diagnostics;

/// <summary>Listens to <see cref="PythonRuntimeTracing.ActivitySourceName"/> and keeps the stopped activities (of every test running meanwhile: filter them).</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == PythonRuntimeTracing.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public void Dispose() => _listener.Dispose();
}
