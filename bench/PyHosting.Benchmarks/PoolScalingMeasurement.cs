using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using IHost = Microsoft.Extensions.Hosting.IHost;

namespace PyHosting.Benchmarks;

/// <summary>
/// Worker pools (<c>--pool</c>): 16 callers evaluate the same CPU-bound Python expression (a pure-Python loop of about
/// 10 ms) on an in-process runtime and on process runtimes of 1, 2 and 4 workers, Managed backend, default permissions,
/// unconfined; throughput (calls per second, the median of three rounds) and per-call latency (p50, p99), with each
/// configuration's throughput as a ratio to the one-worker pool's, measured in one run.
/// </summary>
internal static class PoolScalingMeasurement
{
    private const int Callers = 16;
    private const int CallsPerCaller = 12;
    private const int Rounds = 3;
    // Stateless on purpose: a call may land on any worker of a pool, and each worker has its own module state.
    private const string Spin = "sum(i * i for i in range(150000))";

    public static int Run(TextWriter output)
    {
        var rows = new List<(string Name, double Rate, double P50, double P99)>();
        foreach (var (name, mode, workers) in new[] { ("in process", "InProcess", 1), ("process, 1 worker", "Process", 1), ("process, 2 workers", "Process", 2), ("process, 4 workers", "Process", 4) })
        {
            using var host = Start(mode, workers);
            var runtime = host.Services.GetRequiredService<IPythonRuntime>();
            var (rate, p50, p99) = Measure(runtime);
            rows.Add((name, rate, p50, p99));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"POOL {name}: {rate:F1} calls/s, p50 {p50:F0} ms, p99 {p99:F0} ms"));
            host.StopAsync().GetAwaiter().GetResult();
        }

        var baseline = rows[1].Rate;
        output.WriteLine("| Runtime | Calls/s | vs 1 worker | p50 (ms) | p99 (ms) |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, rate, p50, p99) in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {rate:F1} | {rate / baseline:F2}× | {p50:F0} | {p99:F0} |"));
        }

        return 0;
    }

    private static IHost Start(string mode, int workers)
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection(
        [
            new("PythonRuntime:Isolation:Mode", mode),
            new("PythonRuntime:Isolation:Confinement", "None"),
            new("PythonRuntime:Isolation:MinWorkers", workers.ToString(CultureInfo.InvariantCulture)),
            new("PythonRuntime:Isolation:MaxWorkers", workers.ToString(CultureInfo.InvariantCulture)),
            new("PythonRuntime:ExecutionTimeout", "00:05:00"),
        ]);
        builder.Services.AddPythonRuntime();
        var host = builder.Build();
        host.Start();
        return host;
    }

    private static (double Rate, double P50, double P99) Measure(IPythonRuntime runtime)
    {
        _ = Round(runtime, new double[Callers * CallsPerCaller]);
        var rates = new double[Rounds];
        var latencies = new List<double>();
        for (var r = 0; r < Rounds; r++)
        {
            var slice = new double[Callers * CallsPerCaller];
            rates[r] = slice.Length / Round(runtime, slice);
            latencies.AddRange(slice);
        }

        Array.Sort(rates);
        latencies.Sort();
        return (rates[Rounds / 2], latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    /// <summary>One round: every caller makes its calls one after another; returns the round's seconds and fills the latencies (ms).</summary>
    private static double Round(IPythonRuntime runtime, double[] latencies)
    {
        var start = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < CallsPerCaller; i++)
            {
                var begun = Stopwatch.GetTimestamp();
                await runtime.EvaluateAsync<long>(Spin).ConfigureAwait(false);
                latencies[(c * CallsPerCaller) + i] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
            }
        })).ToArray();
        Task.WaitAll(callers);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
