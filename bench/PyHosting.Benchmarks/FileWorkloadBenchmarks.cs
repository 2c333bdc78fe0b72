using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 1: a file-heavy workload written against Python's own APIs (<c>open</c>, <c>os.stat</c>,
/// <c>os.listdir</c>, <c>os.remove</c>): 1,000 small files created, written, read back, stat-ed,
/// listed and deleted per operation.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 12, invocationCount: 1)]
public class FileWorkloadBenchmarks
{
    public const int FileCount = 1000;

    /// <summary>The workload's Python module: <c>run(root, count)</c> writes, reads, stats, lists and removes <c>count</c> files.</summary>
    internal const string Source =
        "import os\n" +
        "_PAYLOAD = 'x' * 100\n" +
        "def run(root, count):\n" +
        "    total = 0\n" +
        "    for i in range(count):\n" +
        "        with open(root + '/f%d.txt' % i, 'w') as f:\n" +
        "            f.write(_PAYLOAD)\n" +
        "    for i in range(count):\n" +
        "        with open(root + '/f%d.txt' % i) as f:\n" +
        "            total += len(f.read())\n" +
        "    for i in range(count):\n" +
        "        total += os.stat(root + '/f%d.txt' % i).st_size\n" +
        "    names = os.listdir(root)\n" +
        "    for name in names:\n" +
        "        os.remove(root + '/' + name)\n" +
        "    return total + len(names)\n";

    private BenchmarkRuntime _runtime = null!;
    private object?[] _args = null!;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed, BenchmarkBackend.ManagedInMemory)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend);
        _runtime.DefineModule("pyhosting_bench_files", Source);
        _args = [_runtime.DataPath, FileCount];
        var check = Run();
        const long expected = (FileCount * 200L) + FileCount;
        if (check != expected)
        {
            throw new InvalidOperationException($"The file workload returned {check}, expected {expected}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Description = "1,000 files: write, read, stat, listdir, remove")]
    public long CreateReadStatListDelete() => Run();

    private long Run() => _runtime.Runtime.InvokeAsync<long>("pyhosting_bench_files", "run", _args).GetAwaiter().GetResult();
}
