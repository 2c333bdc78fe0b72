using BenchmarkDotNet.Attributes;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 3: <c>time.time()</c>, <c>os.environ['X']</c> and local time (<c>time.localtime(t)</c> and
/// <c>datetime.fromtimestamp(t)</c>, in the runtime's zone for the Managed backend) in a Python loop; the
/// times are per loop iteration (an empty loop is measured for reference).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ClockEnvironmentBenchmarks
{
    public const int Iterations = 100_000;

    private const string Source =
        "import os, time\n" +
        "def time_loop(n):\n" +
        "    for _ in range(n):\n" +
        "        time.time()\n" +
        "def environ_loop(n):\n" +
        "    for _ in range(n):\n" +
        "        os.environ['X']\n" +
        "def localtime_loop(n):\n" +
        "    from datetime import datetime\n" +
        "    for i in range(n):\n" +
        "        time.localtime(1700000000 + i)\n" +
        "        datetime.fromtimestamp(1700000000 + i)\n" +
        "def empty_loop(n):\n" +
        "    for _ in range(n):\n" +
        "        pass\n";

    private BenchmarkRuntime _runtime = null!;
    private readonly object?[] _args = [Iterations];

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend, o => o.Permissions.EnvironmentVariables["X"] = "1");
        if (Backend == BenchmarkBackend.Native)
        {
            _runtime.Runtime.ExecuteAsync("import os\nos.environ['X'] = '1'\n").GetAwaiter().GetResult();
        }

        _runtime.DefineModule("pyhosting_bench_loops", Source);
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(OperationsPerInvoke = Iterations)]
    public void EmptyLoop() => Call("empty_loop");

    [Benchmark(OperationsPerInvoke = Iterations)]
    public void TimeTime() => Call("time_loop");

    [Benchmark(OperationsPerInvoke = Iterations)]
    public void OsEnviron() => Call("environ_loop");

    [Benchmark(OperationsPerInvoke = Iterations)]
    public void LocalTime() => Call("localtime_loop");

    private void Call(string function) =>
        _runtime.Runtime.InvokeAsync<object>("pyhosting_bench_loops", function, _args).GetAwaiter().GetResult();
}
