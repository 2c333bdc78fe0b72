using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;
using PyHosting.Hosting.Isolation;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// Two named runtimes of different trust in one host, each in its own worker processes: each refuses what its
/// own permissions refuse and allows what they allow, metrics carry the runtime's name, and stopping the host
/// stops every worker.
/// </summary>
public sealed class NamedRuntimeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("pyhosting-named-").FullName;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_data, "sales.csv"), "region,amount\nnorth,5\nsouth,7\n");
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // The trusted runtime reads the data; the untrusted one has no file access at all.
            ["PythonRuntime:Runtimes:trusted:Isolation:Mode"] = "Process",
            ["PythonRuntime:Runtimes:trusted:Isolation:Confinement"] = "None",
            ["PythonRuntime:Runtimes:trusted:Permissions:IO"] = "ReadOnly",
            ["PythonRuntime:Runtimes:trusted:FileSystem:Mounts:0:Path"] = "/data",
            ["PythonRuntime:Runtimes:trusted:FileSystem:Mounts:0:HostPath"] = _data,
            ["PythonRuntime:Runtimes:trusted:FileSystem:Mounts:0:ReadOnly"] = "true",
            ["PythonRuntime:Runtimes:untrusted:Isolation:Mode"] = "Process",
            ["PythonRuntime:Runtimes:untrusted:Isolation:Confinement"] = "None",
            ["PythonRuntime:Runtimes:untrusted:Permissions:IO"] = "None",
            ["PythonRuntime:Runtimes:untrusted:ExecutionTimeout"] = "00:00:02",
            ["PythonRuntime:Runtimes:untrusted:Isolation:CallGracePeriod"] = "00:00:01",
        });
        builder.Services.AddPythonRuntime("trusted");
        builder.Services.AddPythonRuntime("untrusted");
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await Task.Yield();
        Directory.Delete(_data, recursive: true);
    }

    private IPythonRuntime Trusted => _host.Services.GetRequiredKeyedService<IPythonRuntime>("trusted");

    private IPythonRuntime Untrusted => _host.Services.GetRequiredService<IPythonRuntimeProvider>().Get("untrusted");

    [Fact]
    public async Task EachRuntime_AllowsAndRefusesWhatItsOwnPermissionsSay()
    {
        const string read = "len(open('/data/sales.csv').read().splitlines())";

        Assert.Equal(3, await Trusted.EvaluateAsync<int>(read));
        var refused = await Assert.ThrowsAsync<PythonScriptException>(() => Untrusted.EvaluateAsync<int>(read));
        Assert.Equal("PermissionError", refused.PythonType);
        // The refusal, made in the untrusted runtime's worker, names that runtime's own key.
        Assert.Contains("PythonRuntime:Runtimes:untrusted:Permissions:IO is None", refused.Message, StringComparison.Ordinal);

        // The trusted runtime's mount is read-only: writing is refused there too, by its own rules.
        var write = await Assert.ThrowsAsync<PythonScriptException>(() => Trusted.ExecuteAsync("open('/data/new.txt', 'w').write('x')"));
        Assert.False(File.Exists(Path.Combine(_data, "new.txt")));
        Assert.Equal("PermissionError", write.PythonType);
        Assert.Contains("PythonRuntime:Runtimes:trusted:Permissions:IO is ReadOnly", write.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRuntimes_RunInDifferentWorkers_WithSeparateState()
    {
        await Trusted.ExecuteAsync("marker = 'trusted'");
        await Untrusted.ExecuteAsync("marker = 'untrusted'");

        Assert.Equal("trusted", await Trusted.EvaluateAsync<string>("marker"));
        Assert.Equal("untrusted", await Untrusted.EvaluateAsync<string>("marker"));
        Assert.NotEqual(Worker("trusted").ProcessId, Worker("untrusted").ProcessId);
    }

    [Fact]
    public async Task Measurements_CarryTheRuntimesName()
    {
        using var metrics = new MeasurementRecorder(_host.Services.GetRequiredService<IMeterFactory>());

        await Trusted.EvaluateAsync<int>("1");
        await Untrusted.EvaluateAsync<int>("1");

        var runtimes = metrics.Of(PythonRuntimeMetrics.Executions).Select(static m => m.Tags[PythonRuntimeMetrics.RuntimeTagName]).ToList();
        Assert.Contains("trusted", runtimes);
        Assert.Contains("untrusted", runtimes);

        // A worker killed by the timeout is replaced and counted under its own runtime.
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Untrusted.ExecuteAsync("import collections, itertools\ncollections.deque(itertools.count(), maxlen=0)"));
        Assert.Contains("PythonRuntime:Runtimes:untrusted:ExecutionTimeout", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:Runtimes:untrusted:Isolation:CallGracePeriod", timeout.Message, StringComparison.Ordinal);
        Assert.Equal(2, await Untrusted.EvaluateAsync<int>("2"));
        var restarts = metrics.Of(PythonRuntimeMetrics.WorkerRestarts).ToList();
        Assert.Contains(restarts, static m => Equals(m.Tags[PythonRuntimeMetrics.RuntimeTagName], "untrusted") && Equals(m.Tags[PythonRuntimeMetrics.ReasonTagName], "timeout"));
        Assert.DoesNotContain(restarts, static m => Equals(m.Tags[PythonRuntimeMetrics.RuntimeTagName], "trusted"));
    }

    [Fact]
    public async Task StoppingTheHost_StopsEveryRuntimesWorkers()
    {
        await Trusted.EvaluateAsync<int>("1");
        await Untrusted.EvaluateAsync<int>("1");
        var workers = new[] { Worker("trusted").ProcessId, Worker("untrusted").ProcessId };

        await _host.StopAsync();

        Assert.All(workers, static pid => Assert.False(ProcessTree.OutlivesKill(pid), $"worker {pid} outlived the host"));
    }

    private WorkerProcess Worker(string name) =>
        ((ProcessPythonRuntime)_host.Services.GetRequiredKeyedService<PythonRuntimeHolder>(name).Runtime!).Worker!;
}
