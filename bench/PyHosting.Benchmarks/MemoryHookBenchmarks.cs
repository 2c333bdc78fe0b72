using System.Globalization;
using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;
using PyHosting.Internal;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 7: what counting Python's heap for <c>PythonRuntime:MemoryLimit</c> costs allocation-heavy code.
/// Two jobs differ only by <see cref="BenchmarkRuntime.MemoryLimitVariable"/>: the baseline runs with no
/// limit (CPython's allocators unhooked), the other with the default limit of 1 GiB (allocators wrapped by
/// the counting hooks). Each job is a process of its own, as CPython starts once per process.
/// </summary>
[Config(typeof(MemoryHookBenchmarksConfig))]
public class MemoryHookBenchmarks
{
    public const int SmallBuffers = 10_000;
    public const int LargeBuffers = 1_000;

    private const string Source =
        "import json\n" +
        "class Point:\n" +
        "    def __init__(self, x, y):\n" +
        "        self.x = x\n" +
        "        self.y = y\n" +
        "def bytearrays(n, size):\n" +
        "    for _ in range(n):\n" +
        "        bytearray(size)\n" +
        "def small_objects(n):\n" +
        "    return len([Point(i, i) for i in range(n)])\n" +
        // About 70 KB of JSON: 500 records with a nested object and a list each.
        "DOC = {'items': [{'id': i, 'name': 'item %d' % i, 'price': i * 1.25, 'tags': ['red', 'green', 'blue'],\n" +
        "                  'active': i % 2 == 0, 'owner': {'id': i % 17, 'name': 'owner %d' % (i % 17)}} for i in range(500)]}\n" +
        "def json_round_trip():\n" +
        "    return len(json.loads(json.dumps(DOC))['items'])\n";

    private const string Module = "pyhosting_bench_memory";

    private readonly object?[] _smallBuffers = [SmallBuffers, 1_000];
    private readonly object?[] _largeBuffers = [LargeBuffers, 100_000];
    private readonly object?[] _objects = [10_000];
    private BenchmarkRuntime _runtime = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(BenchmarkBackend.Managed);
        _runtime.DefineModule(Module, Source);

        // The job's variable must have reached the runtime: hooks on exactly when a limit is set.
        var limited = long.Parse(Environment.GetEnvironmentVariable(BenchmarkRuntime.MemoryLimitVariable) ?? "-1", CultureInfo.InvariantCulture) > 0;
        if (limited != PythonInterpreter.MemoryUsage.HasValue)
        {
            throw new InvalidOperationException($"{BenchmarkRuntime.MemoryLimitVariable} is not set as the job requires (memory counted: {PythonInterpreter.MemoryUsage.HasValue}).");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    /// <summary>Creates and drops a 1,000-byte <c>bytearray</c>: one counted raw allocation and release each.</summary>
    [Benchmark(OperationsPerInvoke = SmallBuffers)]
    public Task<object?> Bytearray1000() => Call("bytearrays", _smallBuffers);

    /// <summary>Creates and drops a 100 KB <c>bytearray</c> (the buffer is zeroed, which dominates).</summary>
    [Benchmark(OperationsPerInvoke = LargeBuffers)]
    public Task<object?> Bytearray100K() => Call("bytearrays", _largeBuffers);

    /// <summary>Builds and drops a list of 10,000 small objects (pymalloc's arenas, the list's growth).</summary>
    [Benchmark]
    public Task<object?> ListOf10000Objects() => Call("small_objects", _objects);

    /// <summary><c>json.loads(json.dumps(doc))</c> of a document of about 70 KB.</summary>
    [Benchmark]
    public Task<object?> JsonRoundTrip() => Call("json_round_trip", []);

    private Task<object?> Call(string function, object?[] args) => _runtime.Runtime.InvokeAsync<object>(Module, function, args);
}

/// <summary>
/// The two jobs of <see cref="MemoryHookBenchmarks"/>: identical but for the memory limit. Both jobs of a
/// workload run one after the other, so that a change of the machine's load between workloads does not
/// fall between the two sides of a ratio (BenchmarkDotNet otherwise runs every case of one job first).
/// </summary>
public sealed class MemoryHookBenchmarksConfig : ManualConfig
{
    public MemoryHookBenchmarksConfig()
    {
        var job = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10);
        AddJob(job.WithEnvironmentVariable(BenchmarkRuntime.MemoryLimitVariable, "0").WithId("NoLimit").AsBaseline());
        AddJob(job.WithEnvironmentVariable(BenchmarkRuntime.MemoryLimitVariable, PythonRuntimeOptions.DefaultMemoryLimit.ToString(CultureInfo.InvariantCulture)).WithId("Limit1GiB"));
        AddColumn(StatisticColumn.Median);
        WithOrderer(new WorkloadThenJobOrderer());
    }

    private sealed class WorkloadThenJobOrderer : DefaultOrderer
    {
        public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
            base.GetExecutionOrder(benchmarkCases, order)
                .OrderBy(static b => b.Descriptor.MethodIndex)
                .ThenBy(static b => b.Job.Meta.Baseline ? 0 : 1);
    }
}
