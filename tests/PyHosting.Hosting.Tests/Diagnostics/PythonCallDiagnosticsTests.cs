using PyHosting.Testing.Diagnostics;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Hosting.Tests.Diagnostics;

public sealed class PythonCallDiagnosticsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly MeasurementRecorder _recorder;
    private readonly PythonCallDiagnostics _diagnostics;
    private long? _memoryUsage;

    public PythonCallDiagnosticsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _recorder = new MeasurementRecorder(factory);
        _diagnostics = new PythonCallDiagnostics(factory, _time, () => _memoryUsage);
    }

    [Fact]
    public void MemoryGauge_ReportsWhatTheRuntimeCounts()
    {
        _memoryUsage = 6_000_000;

        _recorder.RecordObservableInstruments();

        Assert.Equal(6_000_000, Assert.Single(_recorder.Of(PythonRuntimeMetrics.MemoryUsage)).Value);
    }

    [Fact]
    public void MemoryGauge_NothingCounted_NoMeasurement()
    {
        _memoryUsage = null;

        _recorder.RecordObservableInstruments();

        Assert.Empty(_recorder.Of(PythonRuntimeMetrics.MemoryUsage));
    }

    [Theory]
    [InlineData(nameof(PythonCallOutcome.Ok), "ok")]
    [InlineData(nameof(PythonCallOutcome.Error), "error")]
    [InlineData(nameof(PythonCallOutcome.Cancelled), "cancelled")]
    [InlineData(nameof(PythonCallOutcome.Timeout), "timeout")]
    public void Complete_CountsTheExecutionAndRecordsItsDuration_TaggedWithTheOutcome(string outcomeName, string tag)
    {
        var outcome = Enum.Parse<PythonCallOutcome>(outcomeName);
        var observation = _diagnostics.OnCallStarting("stats.summarize");
        _time.Advance(TimeSpan.FromMilliseconds(250));

        observation.Complete(outcome, TimeSpan.FromMilliseconds(3));

        var execution = Assert.Single(_recorder.Of(PythonRuntimeMetrics.Executions));
        Assert.Equal(1, execution.Value);
        Assert.Equal(tag, execution.Tags[PythonRuntimeMetrics.OutcomeTagName]);
        var duration = Assert.Single(_recorder.Of(PythonRuntimeMetrics.ExecutionDuration));
        Assert.Equal(0.25, duration.Value, precision: 6);
        Assert.Equal(tag, duration.Tags[PythonRuntimeMetrics.OutcomeTagName]);
    }

    [Fact]
    public void Complete_RecordsTheGilWaitInSeconds()
    {
        _diagnostics.OnCallStarting("exec").Complete(PythonCallOutcome.Ok, TimeSpan.FromMilliseconds(12));

        var wait = Assert.Single(_recorder.Of(PythonRuntimeMetrics.GilWait));
        Assert.Equal(0.012, wait.Value, precision: 6);
    }

    [Fact]
    public void OnPermissionDenied_CountsTheDenial_TaggedWithThePermissionKey()
    {
        _diagnostics.OnPermissionDenied("PythonRuntime:Permissions:CreateProcess");
        _diagnostics.OnPermissionDenied("PythonRuntime:Permissions:IO");

        var denials = _recorder.Of(PythonRuntimeMetrics.PermissionDenials);
        Assert.Equal(["PythonRuntime:Permissions:CreateProcess", "PythonRuntime:Permissions:IO"], denials.Select(static d => d.Tags[PythonRuntimeMetrics.PermissionTagName]));
        Assert.All(denials, static d => Assert.Equal(1, d.Value));
    }

    [Fact]
    public void OnCallStarting_WithAListener_StartsAnActivityUnderTheCallersActivity_CarryingEntryPointAndOutcome()
    {
        var entryPoint = $"jobs_{Guid.NewGuid():N}.run";
        using var activities = new ActivityRecorder();
        using var parent = new Activity("caller").Start();

        _diagnostics.OnCallStarting(entryPoint).Complete(PythonCallOutcome.Ok, TimeSpan.Zero);

        var activity = Assert.Single(activities.Stopped, a => Equals(a.GetTagItem(PythonRuntimeTracing.EntryPointTagName), entryPoint));
        Assert.Equal(PythonRuntimeTracing.ExecutionActivityName, activity.OperationName);
        Assert.Equal(parent.Id, activity.ParentId);
        Assert.Equal("ok", activity.GetTagItem(PythonRuntimeTracing.OutcomeTagName));
        Assert.Equal(ActivityStatusCode.Unset, activity.Status);
        Assert.Same(parent, Activity.Current);
    }

    [Theory]
    [InlineData(nameof(PythonCallOutcome.Error), "error")]
    [InlineData(nameof(PythonCallOutcome.Timeout), "timeout")]
    public void Complete_Failed_MarksTheActivityAsAnError(string outcomeName, string tag)
    {
        var outcome = Enum.Parse<PythonCallOutcome>(outcomeName);
        var entryPoint = $"/app/{Guid.NewGuid():N}.py";
        using var activities = new ActivityRecorder();

        _diagnostics.OnCallStarting(entryPoint).Complete(outcome, TimeSpan.Zero);

        var activity = Assert.Single(activities.Stopped, a => Equals(a.GetTagItem(PythonRuntimeTracing.EntryPointTagName), entryPoint));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(tag, activity.StatusDescription);
        Assert.Equal(tag, activity.GetTagItem(PythonRuntimeTracing.OutcomeTagName));
    }

    [Fact]
    public void OnPermissionDenied_DuringACall_AddsAnEventToTheCallsActivity()
    {
        var entryPoint = $"probe_{Guid.NewGuid():N}.run";
        using var activities = new ActivityRecorder();

        var observation = _diagnostics.OnCallStarting(entryPoint);
        _diagnostics.OnPermissionDenied("PythonRuntime:Permissions:CreateThread");
        observation.Complete(PythonCallOutcome.Error, TimeSpan.Zero);

        var activity = Assert.Single(activities.Stopped, a => Equals(a.GetTagItem(PythonRuntimeTracing.EntryPointTagName), entryPoint));
        var denial = Assert.Single(activity.Events);
        Assert.Equal(PythonRuntimeTracing.PermissionDeniedEventName, denial.Name);
        Assert.Contains(denial.Tags, static t => t.Key == PythonRuntimeMetrics.PermissionTagName && Equals(t.Value, "PythonRuntime:Permissions:CreateThread"));
    }

    [Fact]
    public void OnCallStarting_WithoutAListener_StillRecordsMetrics()
    {
        _diagnostics.OnCallStarting("eval").Complete(PythonCallOutcome.Ok, TimeSpan.Zero);

        Assert.Single(_recorder.Of(PythonRuntimeMetrics.Executions));
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _services.Dispose();
    }
}
