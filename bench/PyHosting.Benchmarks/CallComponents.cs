using System.Diagnostics;
using System.Globalization;
using PyHosting.Internal.Interop;

namespace PyHosting.Benchmarks;

/// <summary>
/// A Stopwatch breakdown of one <c>InvokeAsync</c> call (<c>--profile call-components &lt;backend&gt;</c>):
/// each step of <c>PythonRuntime.RunAsync</c> timed on its own, in a loop, in this process's interpreter.
/// </summary>
internal static unsafe class CallComponents
{
    private const int Iterations = 100_000;

    public static int Run(BenchmarkBackend backend, TextWriter output)
    {
        using var runtime = BenchmarkRuntime.Start(backend);
        var rt = runtime.Runtime;
        nint noop, mainDict, emptyTuple;
        var gil = LibPython.PyGILState_Ensure();
        {
            var module = Py.Import(BenchmarkRuntime.ModuleName);
            noop = Py.GetAttr(module, "noop");
            LibPython.Py_DecRef(module);
            fixed (byte* main = "__main__\0"u8)
            {
                mainDict = LibPython.PyModule_GetDict(LibPython.PyImport_AddModule(main));
            }

            emptyTuple = LibPython.PyTuple_New(0);
        }

        LibPython.PyGILState_Release(gil);
        var rows = new List<(string, double)>();
        void Measure(string name, Action step)
        {
            for (var i = 0; i < Iterations / 10; i++)
            {
                step();
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Iterations; i++)
            {
                step();
            }

            rows.Add((name, Stopwatch.GetElapsedTime(start).TotalNanoseconds / Iterations));
        }

        void UnderGil(string name, Action step) => Measure(name, () =>
        {
            var g = LibPython.PyGILState_Ensure();
            step();
            LibPython.PyGILState_Release(g);
        });

        // Bytes allocated on this thread per synchronous call (it runs here when the stack allows).
        foreach (var (name, call) in new (string, Action)[]
        {
            ("Evaluate<int>(\"1\")", () => rt.Evaluate<int>("1")),
            ("Invoke<object>(noop)", () => rt.Invoke<object>(BenchmarkRuntime.ModuleName, "noop", [])),
        })
        {
            call();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                call();
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name + ", bytes allocated per call",-62} {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1000.0,10:F1}"));
        }

        // Reference points: the whole calls, from this thread.
        Measure("InvokeAsync (noop), awaited synchronously", () => rt.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []).GetAwaiter().GetResult());
        Measure("EvaluateAsync<int>(\"1\"), awaited synchronously", () => rt.EvaluateAsync<int>("1").GetAwaiter().GetResult());
        Measure("Task.Run(empty) round trip", () => Task.Run(static () => { }).GetAwaiter().GetResult());

        // The GIL and thread states.
        Measure("GIL ensure+release, thread state kept (main thread)", () => LibPython.PyGILState_Release(LibPython.PyGILState_Ensure()));
        Measure("GIL ensure+call noop+release, thread state kept", () => CallNoop(noop, emptyTuple));
        rows.Add(("GIL ensure+release, fresh thread state each time", OnFreshThread(static () => LibPython.PyGILState_Release(LibPython.PyGILState_Ensure()))));
        rows.Add(("GIL ensure+call noop+release, fresh thread state each time", OnFreshThread(() => CallNoop(noop, emptyTuple))));

        // The steps of RunOnThisThread, each under the GIL (the GIL's own cost subtracted below).
        var gilOnly = rows.Single(r => r.Item1.StartsWith("GIL ensure+release, thread state kept", StringComparison.Ordinal)).Item2;
        var before = rows.Count;
        UnderGil("timeout CTS + linked CTS, create and dispose", () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), TimeProvider.System);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None, timeout.Token);
            using var registration = linked.Token.Register(static () => { });
        });
        UnderGil("Py.Import(module) of an imported module", () => LibPython.Py_DecRef(Py.Import(BenchmarkRuntime.ModuleName)));
        UnderGil("sys.modules lookup (PyDict_GetItemString)", () =>
        {
            fixed (byte* n = "pyhosting_bench\0"u8)
            {
                _ = LibPython.PyDict_GetItemString(LibPython.PyImport_GetModuleDict(), n);
            }
        });
        UnderGil("GetAttr(function) + PyObject_Call + result", () =>
        {
            var module = Py.Import(BenchmarkRuntime.ModuleName);
            var f = Py.GetAttr(module, "noop");
            LibPython.Py_DecRef(module);
            var r = LibPython.PyObject_Call(f, emptyTuple, 0);
            LibPython.Py_DecRef(f);
            _ = PyHosting.Internal.Conversion.ResultConverter.Convert<object>(r);
            LibPython.Py_DecRef(r);
        });
        UnderGil("Py_CompileString(\"1\") + PyEval_EvalCode", () =>
        {
            nint code;
            fixed (byte* s = "1\0"u8)
            fixed (byte* n = "<string>\0"u8)
            {
                code = LibPython.Py_CompileString(s, n, 258);
            }

            var r = LibPython.PyEval_EvalCode(code, mainDict, mainDict);
            LibPython.Py_DecRef(code);
            LibPython.Py_DecRef(r);
        });
        for (var i = before; i < rows.Count; i++)
        {
            rows[i] = (rows[i].Item1, rows[i].Item2 - gilOnly);
        }

        output.WriteLine($"Call components, {backend} backend (ns per operation, {Iterations:N0} iterations; steps under the GIL exclude the GIL's own cost):");
        foreach (var (name, ns) in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-62} {ns,10:F0} ns"));
        }

        return 0;
    }

    private static void CallNoop(nint noop, nint emptyTuple)
    {
        var g = LibPython.PyGILState_Ensure();
        var r = LibPython.PyObject_Call(noop, emptyTuple, 0);
        LibPython.Py_DecRef(r);
        LibPython.PyGILState_Release(g);
    }

    /// <summary>Times <paramref name="step"/> on a new thread that has no Python thread state of its own.</summary>
    private static double OnFreshThread(Action step)
    {
        double result = 0;
        var thread = new Thread(() =>
        {
            for (var i = 0; i < Iterations / 10; i++)
            {
                step();
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < Iterations; i++)
            {
                step();
            }

            result = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Iterations;
        });
        thread.Start();
        thread.Join();
        return result;
    }
}
