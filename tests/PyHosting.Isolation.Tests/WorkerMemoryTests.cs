using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// <c>pyhosting.memory.usage</c> of a Process-mode runtime: the resident memory of its worker processes, read from /proc,
/// which follows what Python keeps in the worker.
/// </summary>
public sealed class WorkerMemoryTests
{
    [Theory]
    [InlineData("None")]
    [InlineData("Required")]
    public async Task MemoryGauge_ReportsTheWorkersResidentMemory_AndFollowsPythonsAllocations(string confinement)
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:MemoryLimit"] = (512L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) }, confinement);
        await host.Runtime.EvaluateAsync<int>("1");
        using var metrics = new MeasurementRecorder(host.Host.Services.GetRequiredService<IMeterFactory>());

        metrics.RecordObservableInstruments();
        var before = Assert.Single(metrics.Of(PythonRuntimeMetrics.MemoryUsage)).Value;

        // 200 MiB that Python keeps, written so that every page is resident.
        await host.Runtime.ExecuteAsync("kept = b'x' * (200 << 20)");
        metrics.RecordObservableInstruments();
        var after = metrics.Of(PythonRuntimeMetrics.MemoryUsage)[^1].Value;

        // The worker's .NET runtime and CPython are resident before any allocation; Python's 200 MiB come on top.
        Assert.InRange(before, 20 << 20, 2L << 30);
        Assert.True(after - before >= 180 << 20, $"before {before} bytes, after {after} bytes");
    }
}
