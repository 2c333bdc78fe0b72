using System.Diagnostics;
using System.Globalization;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 6: throughput under contention. 16 callers each make 1,000 short calls in a row
/// (<c>InvokeAsync</c> of a function returning None); every call's latency is recorded. Runs in its
/// own process (one interpreter per process) and prints one result line.
/// </summary>
internal static class ContentionMeasurement
{
    public const int Callers = 16;
    public const int CallsPerCaller = 1000;
    private const int Rounds = 5;

    public static int Run(BenchmarkBackend backend, TextWriter output)
    {
        using var runtime = BenchmarkRuntime.Start(backend);
        var function = RawCalls.Noop();
        var viaRuntime = Measure(() => runtime.Runtime.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []));
        var raw = Measure(() => Task.Run(() => RawCalls.CallNoArgs(function)));
        RawCalls.Release(function);

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"CONTENTION {backend} {viaRuntime.CallsPerSecond:F0} {viaRuntime.P50Microseconds:F1} {viaRuntime.P99Microseconds:F1} {raw.CallsPerSecond:F0} {raw.P50Microseconds:F1} {raw.P99Microseconds:F1}"));
        return 0;
    }

    /// <summary>One warm-up round, then <see cref="Rounds"/> measured rounds; the median round's throughput and the latency percentiles over all measured calls.</summary>
    private static ContentionResult Measure(Func<Task> call)
    {
        _ = RunRound(call, new long[Callers * CallsPerCaller]);
        var latencies = new long[Rounds * Callers * CallsPerCaller];
        var rates = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            var slice = new long[Callers * CallsPerCaller];
            var elapsed = RunRound(call, slice);
            rates[round] = slice.Length / elapsed.TotalSeconds;
            slice.CopyTo(latencies, round * slice.Length);
        }

        Array.Sort(rates);
        Array.Sort(latencies);
        return new ContentionResult(
            rates[Rounds / 2],
            Microseconds(latencies[latencies.Length / 2]),
            Microseconds(latencies[(int)(latencies.Length * 0.99)]));
    }

    private static TimeSpan RunRound(Func<Task> call, long[] latencies)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var offset = c * CallsPerCaller;
            callers[c] = Task.Run(async () =>
            {
                await go.Task.ConfigureAwait(false);
                for (var i = 0; i < CallsPerCaller; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await call().ConfigureAwait(false);
                    latencies[offset + i] = Stopwatch.GetTimestamp() - start;
                }
            });
        }

        var begin = Stopwatch.GetTimestamp();
        go.SetResult();
        Task.WaitAll(callers);
        return Stopwatch.GetElapsedTime(begin);
    }

    private static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}

/// <summary>The outcome of a contention measurement.</summary>
internal readonly record struct ContentionResult(double CallsPerSecond, double P50Microseconds, double P99Microseconds);
