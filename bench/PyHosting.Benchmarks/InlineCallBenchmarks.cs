using BenchmarkDotNet.Attributes;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 2, without a timeout: an asynchronous call with no timeout and no cancellable token, made while no other call
/// is in flight from a thread whose stack holds the recursion limit (BenchmarkDotNet's main thread), runs on the
/// calling thread and returns a completed task. Same cases as <see cref="CallOverheadBenchmarks"/>, with the runtime's
/// <c>ExecutionTimeout</c> off; the floor is the same raw call.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class InlineCallBenchmarks
{
    private BenchmarkRuntime _runtime = null!;
    private nint _function;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend, o => o.ExecutionTimeout = null);
        _function = RawCalls.Noop();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        RawCalls.Release(_function);
        _runtime.Dispose();
    }

    /// <summary>The floor: <c>PyGILState_Ensure</c> + <c>PyObject_CallNoArgs</c> + <c>PyGILState_Release</c>.</summary>
    [Benchmark(Baseline = true)]
    public void RawCallNoArgs() => RawCalls.CallNoArgs(_function);

    [Benchmark]
    public Task<object?> InvokeAsyncNone() => _runtime.Runtime.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []);

    [Benchmark]
    public Task<int> EvaluateAsyncOne() => _runtime.Runtime.EvaluateAsync<int>("1");
}
