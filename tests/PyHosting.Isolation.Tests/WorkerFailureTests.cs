using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Isolation.Tests;

/// <summary>A worker that hangs, crashes or breaks the protocol is killed and replaced; the host goes on.</summary>
public sealed class WorkerFailureTests
{
    [Fact]
    public async Task CCodeThatIgnoresInterrupts_TimesOut_AndTheNextCallRunsInAFreshWorker()
    {
        var settings = new Dictionary<string, string?> { ["PythonRuntime:ExecutionTimeout"] = "00:00:01" };
        await using var host = await IsolatedHost.StartAsync(settings);
        using var metrics = new MeasurementRecorder(host.Host.Services.GetRequiredService<IMeterFactory>());
        var first = host.WorkerId;

        var e = await Assert.ThrowsAsync<TimeoutException>(() => host.Runtime.ExecuteAsync("import collections, itertools\ncollections.deque(itertools.count(), maxlen=0)"));
        Assert.Contains("PythonRuntime:ExecutionTimeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("killed", e.Message, StringComparison.Ordinal);

        Assert.Equal(4, await host.Runtime.EvaluateAsync<int>("2 + 2"));
        Assert.NotEqual(first, host.WorkerId);
        Assert.False(ProcessTree.OutlivesKill(first));
        Assert.Contains(metrics.Of(PythonRuntimeMetrics.WorkerRestarts), m => Equals(m.Tags[PythonRuntimeMetrics.ReasonTagName], "timeout"));
    }

    [Theory]
    [InlineData("import os\nos.abort()", 6)]
    [InlineData("import ctypes\nctypes.string_at(0)", 11)]
    public async Task NativeCrash_FailsTheCallWithTheSignal_AndTheNextCallSucceeds(string code, int signal)
    {
        await using var host = await IsolatedHost.StartAsync(IsolatedHost.Native);
        using var metrics = new MeasurementRecorder(host.Host.Services.GetRequiredService<IMeterFactory>());
        await host.Runtime.ExecuteAsync("import sys\nprint('about to crash', file=sys.stderr)");

        var e = await Assert.ThrowsAsync<PythonWorkerCrashedException>(() => host.Runtime.ExecuteAsync(code));
        Assert.Equal(signal, e.Signal);
        Assert.Null(e.ExitCode);

        Assert.Equal("ok", await host.Runtime.EvaluateAsync<string>("'ok'"));
        Assert.Contains(metrics.Of(PythonRuntimeMetrics.WorkerRestarts), m => Equals(m.Tags[PythonRuntimeMetrics.ReasonTagName], "crash"));
    }

    [Fact]
    public async Task ExitingWorker_ReportsItsExitCode()
    {
        await using var host = await IsolatedHost.StartAsync(IsolatedHost.Native);
        var e = await Assert.ThrowsAsync<PythonWorkerCrashedException>(() => host.Runtime.ExecuteAsync("import os\nos._exit(7)"));
        Assert.Equal(7, e.ExitCode);
        Assert.Null(e.Signal);
        Assert.Equal(3, await host.Runtime.EvaluateAsync<int>("3"));
    }

    [Fact]
    public async Task WorkerWritingGarbageOnTheChannel_IsKilled()
    {
        await using var host = await IsolatedHost.StartAsync(IsolatedHost.Native);
        var first = host.WorkerId;

        // Code in the worker finds the channel's descriptor and writes a frame header announcing 2 GiB, then noise.
        var e = await Assert.ThrowsAsync<PythonWorkerCrashedException>(() => host.Runtime.ExecuteAsync("""
            import os, stat, time
            for fd in range(3, 256):
                try:
                    if stat.S_ISFIFO(os.fstat(fd).st_mode) and os.get_blocking(fd) is not None:
                        os.write(fd, b'\xff\xff\xff\x7f' + b'garbage' * 10)
                except OSError:
                    pass
            time.sleep(30)
            """));
        Assert.Contains("protocol", e.Message, StringComparison.Ordinal);
        Assert.False(ProcessTree.OutlivesKill(first));
        Assert.Equal(5, await host.Runtime.EvaluateAsync<int>("5"));
    }

    [Fact]
    public async Task StoppingTheHost_LeavesNoWorkerProcess()
    {
        var host = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Auto");
        await host.Runtime.ExecuteAsync("import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()");
        var tree = ProcessTree.WithDescendants(host.WorkerId);
        Assert.All(tree, pid => Assert.True(ProcessTree.IsAlive(pid)));

        await host.DisposeAsync();

        Assert.All(tree, pid => Assert.False(ProcessTree.OutlivesKill(pid), $"process {pid} of the worker is still running"));
    }

    [Fact]
    public async Task RecycleAfterCalls_ReplacesTheWorkerAndItsState()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:Isolation:RecycleAfterCalls"] = "2" });
        var first = host.WorkerId;
        await host.Runtime.ExecuteAsync("x = 1");
        Assert.Equal(1, await host.Runtime.EvaluateAsync<int>("x"));
        var e = await Assert.ThrowsAsync<PythonScriptException>(() => host.Runtime.EvaluateAsync<int>("x"));
        Assert.Equal("NameError", e.PythonType);
        Assert.NotEqual(first, host.WorkerId);
    }
}
