using BenchmarkDotNet.Attributes;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 2: the cost of an empty call from .NET into Python through <see cref="IPythonRuntime"/>,
/// against the C API called directly through the runtime's own bindings on the same interpreter
/// (same process, same GIL): the floor.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class CallOverheadBenchmarks
{
    private BenchmarkRuntime _runtime = null!;
    private nint _function;
    private nint _globals;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend);
        _function = RawCalls.Noop();
        _globals = RawCalls.NewGlobals();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        RawCalls.Release(_function);
        RawCalls.Release(_globals);
        _runtime.Dispose();
    }

    /// <summary>The floor: <c>PyGILState_Ensure</c> + <c>PyObject_CallNoArgs</c> + <c>PyGILState_Release</c> on the calling thread.</summary>
    [Benchmark(Baseline = true)]
    public void RawCallNoArgs() => RawCalls.CallNoArgs(_function);

    /// <summary>The same, hopping to a pool thread first, as an asynchronous API must.</summary>
    [Benchmark]
    public Task RawCallNoArgsOnPool() => Task.Run(() => RawCalls.CallNoArgs(_function));

    /// <summary>The floor for an expression: compile <c>1</c>, evaluate it and convert it under the GIL.</summary>
    [Benchmark]
    public long RawEvalOne() => RawCalls.EvalOne(_globals);

    [Benchmark]
    public Task<object?> InvokeAsyncNone() => _runtime.Runtime.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []);

    [Benchmark]
    public Task<int> EvaluateAsyncOne() => _runtime.Runtime.EvaluateAsync<int>("1");

    /// <summary>The synchronous entry point: on the calling thread when its stack allows (see <see cref="IPythonRuntime.Invoke{T}"/>).</summary>
    [Benchmark]
    public object? InvokeNone() => _runtime.Runtime.Invoke<object>(BenchmarkRuntime.ModuleName, "noop", []);

    [Benchmark]
    public int EvaluateOne() => _runtime.Runtime.Evaluate<int>("1");
}
