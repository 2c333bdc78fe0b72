using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 5: the time from cancelling the token to the call's task completing, for a call busy in
/// <c>while True: pass</c>. Each iteration starts one busy call (not measured) and cancels it (measured).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: 1)]
public class CancellationBenchmarks
{
    private BenchmarkRuntime _runtime = null!;
    private CancellationTokenSource _cancellation = null!;
    private Task _call = null!;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup() => _runtime = BenchmarkRuntime.Start(Backend);

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [IterationSetup]
    public void StartBusyCall()
    {
        _cancellation = new CancellationTokenSource();
        _call = _runtime.Runtime.ExecuteAsync("while True:\n    pass\n", _cancellation.Token);

        // Let the call take the GIL and enter the loop.
        Thread.Sleep(30);
        if (_call.IsCompleted)
        {
            throw new InvalidOperationException("The busy call ended before it was cancelled.", _call.Exception);
        }
    }

    [IterationCleanup]
    public void DisposeToken() => _cancellation.Dispose();

    [Benchmark]
    public void CancelBusyLoop()
    {
        _cancellation.Cancel();
        try
        {
            _call.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return;
        }

        throw new InvalidOperationException("The busy call completed without being cancelled.");
    }
}
