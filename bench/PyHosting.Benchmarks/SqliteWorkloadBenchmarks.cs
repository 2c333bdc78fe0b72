using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace PyHosting.Benchmarks;

/// <summary>
/// A SQLite workload on a database file: 20 transactions of 50 inserts (each commit writes, syncs and deletes a rollback
/// journal), 1,000 indexed point queries, then the file is closed and removed. Native: SQLite's own VFS on a host
/// directory; Managed: the runtime's VFS over a physical mount or the in-memory provider. Run it with
/// <c>--filter '*SqliteWorkload*'</c>; it is not part of the suite's comparison table.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10, invocationCount: 1)]
public class SqliteWorkloadBenchmarks
{
    private const string Source =
        "import os, sqlite3\n" +
        "def run(root):\n" +
        "    path = root + '/bench.db'\n" +
        "    c = sqlite3.connect(path, isolation_level=None)\n" +
        "    c.execute('create table t (k integer primary key, v text)')\n" +
        "    for t in range(20):\n" +
        "        c.execute('begin')\n" +
        "        c.executemany('insert into t values (?, ?)', [(t * 50 + i, 'v' * 40) for i in range(50)])\n" +
        "        c.execute('commit')\n" +
        "    total = 0\n" +
        "    for k in range(1000):\n" +
        "        total += len(c.execute('select v from t where k = ?', (k,)).fetchone()[0])\n" +
        "    c.close()\n" +
        "    os.remove(path)\n" +
        "    return total\n";

    private BenchmarkRuntime _runtime = null!;
    private object?[] _args = null!;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed, BenchmarkBackend.ManagedInMemory)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend);
        _runtime.DefineModule("pyhosting_bench_sqlite", Source);
        _args = [_runtime.DataPath];
        var check = Run();
        if (check != 40_000)
        {
            throw new InvalidOperationException($"The SQLite workload returned {check}, expected 40000.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Description = "SQLite file: 20 commits of 50 inserts, 1,000 point queries")]
    public long CommitsAndQueries() => Run();

    private long Run() => _runtime.Runtime.InvokeAsync<long>("pyhosting_bench_sqlite", "run", _args).GetAwaiter().GetResult();
}
