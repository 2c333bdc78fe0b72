using BenchmarkDotNet.Attributes;
using Python.Runtime;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 2: the cost of an empty call from .NET into Python through <see cref="IPythonRuntime"/>,
/// against raw pythonnet calls on the same interpreter (same process, same GIL).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class CallOverheadBenchmarks
{
    private BenchmarkRuntime _runtime = null!;
    private PyObject _function = null!;

    [Params(BenchmarkBackend.Native, BenchmarkBackend.Managed)]
    public BenchmarkBackend Backend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = BenchmarkRuntime.Start(Backend);
        using (Py.GIL())
        {
            using var module = PyModule.Import(BenchmarkRuntime.ModuleName);
            _function = module.GetAttr("noop");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using (Py.GIL())
        {
            _function.Dispose();
        }

        _runtime.Dispose();
    }

    /// <summary>pythonnet: take the GIL on the calling thread and call the function object.</summary>
    [Benchmark(Baseline = true)]
    public void RawPythonnetInvoke()
    {
        using (Py.GIL())
        {
            using var result = _function.Invoke();
        }
    }

    /// <summary>pythonnet: the same, hopping to a pool thread first, as an asynchronous API must.</summary>
    [Benchmark]
    public Task RawPythonnetInvokeOnPool() => Task.Run(() =>
    {
        using (Py.GIL())
        {
            using var result = _function.Invoke();
        }
    });

    /// <summary>pythonnet: evaluate <c>1</c> (compile and run) and convert it.</summary>
    [Benchmark]
    public int RawPythonnetEval()
    {
        using (Py.GIL())
        {
            using var result = PythonEngine.Eval("1");
            return result.As<int>();
        }
    }

    [Benchmark]
    public Task<object?> InvokeAsyncNone() => _runtime.Runtime.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []);

    [Benchmark]
    public Task<int> EvaluateAsyncOne() => _runtime.Runtime.EvaluateAsync<int>("1");
}
