using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PyHosting.Hosting.Internal;
using PyHosting.Hosting.Isolation;
using IHost = Microsoft.Extensions.Hosting.IHost;

namespace PyHosting.Benchmarks;

/// <summary>Starts a host whose runtime is in process or in worker processes (Managed backend, default permissions).</summary>
internal static class IsolationHost
{
    public static IHost Start(PythonIsolationMode mode, PythonConfinement confinement = PythonConfinement.None)
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection(
        [
            new("PythonRuntime:Isolation:Mode", mode.ToString()),
            new("PythonRuntime:Isolation:Confinement", confinement.ToString()),
        ]);
        builder.Services.AddPythonRuntime();
        var host = builder.Build();
        host.Start();
        return host;
    }

    public static IPythonRuntime Runtime(IHost host) => host.Services.GetRequiredService<IPythonRuntime>();

    public static ProcessPythonRuntime Workers(IHost host) => (ProcessPythonRuntime)host.Services.GetRequiredService<PythonRuntimeHolder>().Runtime!;
}

/// <summary>
/// Process isolation, the call: an empty <c>InvokeAsync</c> and an <c>EvaluateAsync</c> returning a small list, in
/// process against through a worker's channel (one round trip: two frames, two pipe writes, two context switches).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class IsolationCallBenchmarks
{
    private IHost _host = null!;
    private IPythonRuntime _runtime = null!;

    [Params(PythonIsolationMode.InProcess, PythonIsolationMode.Process)]
    public PythonIsolationMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _host = IsolationHost.Start(Mode);
        _runtime = IsolationHost.Runtime(_host);
        _runtime.ExecuteAsync("def noop():\n    return None\n").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<object?> InvokeAsyncEmpty() => _runtime.InvokeAsync<object>("__main__", "noop", []);

    [Benchmark]
    public Task<List<int>?> EvaluateAsyncList() => _runtime.EvaluateAsync<List<int>>("[1, 2, 3]");
}

/// <summary>
/// Process isolation, the worker's life: from nothing to the first result (the host's start, which starts a worker
/// and its interpreter, then one call), and the replacement of a worker killed with SIGKILL (the next call finds it
/// dead, starts another and gets its result), unconfined and under bubblewrap.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class WorkerLifecycleBenchmarks
{
    private IHost? _host;

    [Params(PythonConfinement.None, PythonConfinement.Required)]
    public PythonConfinement Confinement { get; set; }

    [IterationSetup(Target = nameof(ReplacementAfterKill))]
    public void KillWorker()
    {
        _host ??= IsolationHost.Start(PythonIsolationMode.Process, Confinement);
        var runtime = IsolationHost.Runtime(_host);
        runtime.EvaluateAsync<int>("1").GetAwaiter().GetResult();
        var worker = IsolationHost.Workers(_host).Worker!;
        worker.Kill("benchmark");
        worker.Completion.GetAwaiter().GetResult();
    }

    [IterationCleanup(Target = nameof(StartToFirstResult))]
    public void StopHost()
    {
        _host?.StopAsync().GetAwaiter().GetResult();
        _host?.Dispose();
        _host = null;
    }

    [GlobalCleanup]
    public void Cleanup() => StopHost();

    [Benchmark]
    public int StartToFirstResult()
    {
        _host = IsolationHost.Start(PythonIsolationMode.Process, Confinement);
        return IsolationHost.Runtime(_host).EvaluateAsync<int>("1").GetAwaiter().GetResult();
    }

    [Benchmark]
    public int ReplacementAfterKill() => IsolationHost.Runtime(_host!).EvaluateAsync<int>("1").GetAwaiter().GetResult();
}

/// <summary>How <see cref="IsolationFileBenchmarks"/> serves the file workload.</summary>
public enum IsolatedFilePath
{
    /// <summary>The Native backend in process, on the directory itself.</summary>
    Native,

    /// <summary>The Managed backend in process, on a physical mount.</summary>
    InProcess,

    /// <summary>A confined worker, the mount's directory bind-mounted and served inside it (the fast path).</summary>
    ProcessFastPath,

    /// <summary>A confined worker whose file system is the host's (the same mount table, decorated in code): every operation crosses the channel.</summary>
    ProcessBrokered,
}

/// <summary>
/// Process isolation, files: the file workload of <see cref="FileWorkloadBenchmarks"/> on a physical mount with the
/// Managed backend, in process, in a worker where the mount's directory is bind-mounted into the confinement and
/// served inside it with the same permission checks (the fast path), and in a worker whose file system is brokered
/// from the host (a file system chosen or decorated in code), against the Native backend on the directory itself.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class IsolationFileBenchmarks
{
    private const string Source = FileWorkloadBenchmarks.Source; // the same workload as in process against Native

    private IHost _host = null!;
    private IPythonRuntime _runtime = null!;
    private string _directory = null!;
    private string _root = null!;

    [Params(IsolatedFilePath.Native, IsolatedFilePath.InProcess, IsolatedFilePath.ProcessFastPath, IsolatedFilePath.ProcessBrokered)]
    public IsolatedFilePath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("pyhosting-bench-isolation-").FullName;
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        var process = Path is IsolatedFilePath.ProcessFastPath or IsolatedFilePath.ProcessBrokered;
        builder.Configuration.AddInMemoryCollection(
        [
            new("PythonRuntime:Isolation:Mode", process ? "Process" : "InProcess"),
            new("PythonRuntime:Isolation:Confinement", "Required"),
            new("PythonRuntime:Permissions:IO", "All"),
        ]);
        if (Path == IsolatedFilePath.Native)
        {
            builder.Configuration.AddInMemoryCollection(
            [
                new("PythonRuntime:Backend", "Native"),
                new("PythonRuntime:Permissions:NativeAccess", "true"),
                new("PythonRuntime:Permissions:CreateThread", "true"),
            ]);
            _root = _directory;
        }
        else
        {
            builder.Configuration.AddInMemoryCollection(
            [
                new("PythonRuntime:FileSystem:Mounts:0:Path", "/data"),
                new("PythonRuntime:FileSystem:Mounts:0:HostPath", _directory),
            ]);
            _root = "/data";
        }

        var python = builder.Services.AddPythonRuntime();
        if (Path == IsolatedFilePath.ProcessBrokered)
        {
            // A decorator that changes nothing: the file system is one the application supplied in code, so it is brokered.
            python.DecorateFileSystem(static (_, fileSystem) => fileSystem);
        }

        _host = builder.Build();
        _host.Start();
        _runtime = IsolationHost.Runtime(_host);
        _runtime.ExecuteAsync(Source).GetAwaiter().GetResult();
        var check = Run();
        const long expected = (FileWorkloadBenchmarks.FileCount * 200L) + FileWorkloadBenchmarks.FileCount;
        if (check != expected)
        {
            throw new InvalidOperationException($"The file workload returned {check}, expected {expected}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "1,000 files on a physical mount")]
    public long CreateReadStatListDelete() => Run();

    private long Run() => _runtime.InvokeAsync<long>("__main__", "run", [_root, FileWorkloadBenchmarks.FileCount]).GetAwaiter().GetResult();
}

/// <summary>The clock of <see cref="BrokeredRequestBenchmarks"/>: the system's, but not <see cref="TimeProvider.System"/> itself, so a worker is served it from the host.</summary>
internal sealed class SystemClockInCode : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow();

    public override long GetTimestamp() => System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;
}

/// <summary>
/// Process isolation, one brokered request: 1,000 reads of <c>time.time()</c> in one call to a worker, with the system
/// clock (read inside the worker) and with a clock registered in code (each read a request to the host).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class BrokeredRequestBenchmarks
{
    private IHost _host = null!;
    private IPythonRuntime _runtime = null!;

    [Params(false, true)]
    public bool Brokered { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection(
        [
            new("PythonRuntime:Isolation:Mode", "Process"),
            new("PythonRuntime:Isolation:Confinement", "None"),
        ]);
        var python = builder.Services.AddPythonRuntime();
        if (Brokered)
        {
            python.WithTimeProvider(new SystemClockInCode());
        }

        _host = builder.Build();
        _host.Start();
        _runtime = IsolationHost.Runtime(_host);
        _runtime.ExecuteAsync("import time\ndef clock_reads(n):\n    t = time.time\n    for _ in range(n):\n        t()\n").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    [Benchmark(Description = "1,000 time.time() in a worker")]
    public object? ClockReads() => _runtime.InvokeAsync<object>("__main__", "clock_reads", [1000]).GetAwaiter().GetResult();
}
