using PyHosting.Testing.Diagnostics;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Samples.Tests.Observability;

/// <summary>Health, metrics and activities of a real runtime, observed as an application would observe them.</summary>
[Collection(InProcessRuntimeCollection.Name)]
public sealed class RuntimeObservabilityTests(InProcessRuntime runtime)
{
    private const string SpinForever = "while True:\n    pass\n";
    private const string StartAProcess = "import subprocess\ntry:\n    subprocess.run(['ls'])\nexcept PermissionError:\n    pass\n";

    [Fact]
    public async Task HealthCheck_RunningInterpreter_IsHealthy()
    {
        var report = await runtime.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["PythonRuntime"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("Managed backend", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executions_EachOutcome_AreCountedAndTimedWithTheirOutcomeTag()
    {
        using var metrics = new MeasurementRecorder(runtime.MeterFactory);

        Assert.Equal(2, await runtime.Python.EvaluateAsync<long>("1 + 1"));
        await Assert.ThrowsAsync<PythonScriptException>(() => runtime.Python.EvaluateAsync<long>("1 / 0"));
        // The timer starts only now: a token already cancelled when the call is made refuses the call uncounted (next test).
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.Python.ExecuteAsync(SpinForever, cancel.Token));
        await Assert.ThrowsAsync<TimeoutException>(() => runtime.Python.ExecuteAsync(SpinForever));

        var outcomes = metrics.Of(PythonRuntimeMetrics.Executions).Select(static m => (string)m.Tags[PythonRuntimeMetrics.OutcomeTagName]!).ToList();
        Assert.Equal(["ok", "error", "cancelled", "timeout"], outcomes);
        var durations = metrics.Of(PythonRuntimeMetrics.ExecutionDuration);
        Assert.Equal(outcomes, durations.Select(static m => (string)m.Tags[PythonRuntimeMetrics.OutcomeTagName]!));
        // The 1 s timeout counts from the call, the duration from when a pool thread runs it: close to 1 s, not 0.
        Assert.InRange(durations[3].Value, 0.5, 30);
        Assert.Equal(4, metrics.Of(PythonRuntimeMetrics.GilWait).Count);
        Assert.All(metrics.Of(PythonRuntimeMetrics.GilWait), static m => Assert.InRange(m.Value, 0, 30));
    }

    [Fact]
    public async Task Executions_TokenAlreadyCancelled_AreRefusedBeforeStartingAndNotCounted()
    {
        using var metrics = new MeasurementRecorder(runtime.MeterFactory);
        using var activities = new ActivityRecorder();
        using var caller = new Activity("cancelled-before-start").Start();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.Python.ExecuteAsync("x = 1", new CancellationToken(canceled: true)));

        Assert.Empty(metrics.Of(PythonRuntimeMetrics.Executions));
        Assert.DoesNotContain(activities.Stopped, a => a.ParentId == caller.Id);
    }

    [Fact]
    public async Task PermissionDenials_AreCountedWithThePermissionKey()
    {
        using var metrics = new MeasurementRecorder(runtime.MeterFactory);

        await runtime.Python.ExecuteAsync(StartAProcess);

        var denial = Assert.Single(metrics.Of(PythonRuntimeMetrics.PermissionDenials));
        Assert.Equal("PythonRuntime:Permissions:CreateProcess", denial.Tags[PythonRuntimeMetrics.PermissionTagName]);
    }

    [Fact]
    public async Task Activities_OnePerExecution_ChildOfTheCaller_WithEntryPointOutcomeAndDenials()
    {
        using var activities = new ActivityRecorder();
        using var caller = new Activity("nightly-import").Start();

        var json = await runtime.Python.InvokeAsync<string>("json", "dumps", [new List<object?> { 1L, "two" }]);
        await Assert.ThrowsAsync<PythonScriptException>(() => runtime.Python.InvokeAsync<object>("json", "loads", ["{broken"]));
        await runtime.Python.ExecuteAsync(StartAProcess);

        Assert.Equal("""[1, "two"]""", json);
        var mine = activities.Stopped.Where(a => a.ParentId == caller.Id).ToList();
        Assert.Equal(["json.dumps", "json.loads", "exec"], mine.Select(static a => (string)a.GetTagItem(PythonRuntimeTracing.EntryPointTagName)!));
        Assert.All(mine, static a => Assert.Equal(PythonRuntimeTracing.ExecutionActivityName, a.OperationName));
        Assert.Equal(["ok", "error", "ok"], mine.Select(static a => (string)a.GetTagItem(PythonRuntimeTracing.OutcomeTagName)!));
        Assert.Equal(ActivityStatusCode.Error, mine[1].Status);
        var denial = Assert.Single(mine[2].Events);
        Assert.Equal(PythonRuntimeTracing.PermissionDeniedEventName, denial.Name);
    }
}
