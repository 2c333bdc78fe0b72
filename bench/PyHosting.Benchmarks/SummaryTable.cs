using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace PyHosting.Benchmarks;

/// <summary>Builds the table of docs/benchmarks.md from one run: medians, ratios, targets.</summary>
internal static class SummaryTable
{
    public static string Build(
        IReadOnlyList<Summary> summaries,
        IReadOnlyDictionary<string, ColdStartResult> coldStart,
        IReadOnlyDictionary<BenchmarkBackend, string[]> contention)
    {
        var reports = summaries.SelectMany(s => s.Reports).ToList();
        double? Median(string type, string method, BenchmarkBackend backend) => reports
            .FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type.Name == type
                && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
                && Equals(r.BenchmarkCase.Parameters["Backend"], backend))
            ?.ResultStatistics?.Median;

        var sb = new StringBuilder();
        sb.AppendLine("| # | Case | Native | Managed | Ratio (Managed/Native) | Target | Met? |");
        sb.AppendLine("|---|------|--------|---------|------------------------|--------|------|");

        // 1. File workload.
        var fileNative = Median(nameof(FileWorkloadBenchmarks), nameof(FileWorkloadBenchmarks.CreateReadStatListDelete), BenchmarkBackend.Native);
        var filePhysical = Median(nameof(FileWorkloadBenchmarks), nameof(FileWorkloadBenchmarks.CreateReadStatListDelete), BenchmarkBackend.Managed);
        var fileMemory = Median(nameof(FileWorkloadBenchmarks), nameof(FileWorkloadBenchmarks.CreateReadStatListDelete), BenchmarkBackend.ManagedInMemory);
        var physicalRatio = Ratio(filePhysical, fileNative);
        Row(sb, "1a", "1,000 files: write, read, stat, listdir, remove — Managed on a physical mount", Time(fileNative), Time(filePhysical), X(physicalRatio), "≤ 1.5×", Met(physicalRatio <= 1.5));
        Row(sb, "1b", "the same — Managed on the in-memory provider", Time(fileNative), Time(fileMemory), X(Ratio(fileMemory, fileNative)), "—", "—");

        // 2. Empty calls against the C API called directly on the same interpreter.
        foreach (var (id, label, method, rawMethod) in new[]
        {
            ("2a", "InvokeAsync of a function returning None (vs `PyObject_CallNoArgs` under `PyGILState_Ensure`)", nameof(CallOverheadBenchmarks.InvokeAsyncNone), nameof(CallOverheadBenchmarks.RawCallNoArgs)),
            ("2b", "EvaluateAsync<int>(\"1\") (vs `Py_CompileString` + `PyEval_EvalCode` + `PyLong_AsLongLong` under the GIL)", nameof(CallOverheadBenchmarks.EvaluateAsyncOne), nameof(CallOverheadBenchmarks.RawEvalOne)),
            ("2c", "reference: the raw call behind `Task.Run` (vs the same without)", nameof(CallOverheadBenchmarks.RawCallNoArgsOnPool), nameof(CallOverheadBenchmarks.RawCallNoArgs)),
        })
        {
            var n = Median(nameof(CallOverheadBenchmarks), method, BenchmarkBackend.Native);
            var m = Median(nameof(CallOverheadBenchmarks), method, BenchmarkBackend.Managed);
            var nRaw = Ratio(n, Median(nameof(CallOverheadBenchmarks), rawMethod, BenchmarkBackend.Native));
            var mRaw = Ratio(m, Median(nameof(CallOverheadBenchmarks), rawMethod, BenchmarkBackend.Managed));
            var target = id == "2c" ? "—" : "≤ 2× raw";
            var met = id == "2c" ? "—" : Met(nRaw <= 2 && mRaw <= 2);
            Row(sb, id, label, $"{Time(n)} ({X(nRaw)} raw)", $"{Time(m)} ({X(mRaw)} raw)", X(Ratio(m, n)), target, met);
        }

        // 3. Clock and environment, per loop iteration.
        foreach (var (id, label, method) in new[]
        {
            ("3a", "`time.time()` in a Python loop, per iteration", nameof(ClockEnvironmentBenchmarks.TimeTime)),
            ("3b", "`os.environ['X']` in a Python loop, per iteration", nameof(ClockEnvironmentBenchmarks.OsEnviron)),
            ("3c", "reference: empty Python loop, per iteration", nameof(ClockEnvironmentBenchmarks.EmptyLoop)),
            ("3d", "`time.localtime(t)` and `datetime.fromtimestamp(t)` in a Python loop, per iteration", nameof(ClockEnvironmentBenchmarks.LocalTime)),
        })
        {
            var n = Median(nameof(ClockEnvironmentBenchmarks), method, BenchmarkBackend.Native);
            var m = Median(nameof(ClockEnvironmentBenchmarks), method, BenchmarkBackend.Managed);
            Row(sb, id, label, Time(n), Time(m), X(Ratio(m, n)), "—", "—");
        }

        // 4. Cold start.
        var cn = coldStart["Native"];
        var cm = coldStart["Managed"];
        var py = coldStart[ColdStartMeasurement.CPython];
        Row(sb, "4", $"cold start: process start → first `EvaluateAsync<int>(\"1+1\")` result, validation included (median of {cm.Runs} processes)", $"{Ms(cn.SpawnToResult)} ({X(cn.SpawnToResult / py.SpawnToResult)} CPython)", $"{Ms(cm.SpawnToResult)} ({X(cm.SpawnToResult / py.SpawnToResult)} CPython)", X(cm.SpawnToResult / cn.SpawnToResult), "≤ 150 ms", Met(cn.SpawnToResult <= 150 && cm.SpawnToResult <= 150));
        Row(sb, "4a", "… of which: .NET start to Main / host build / `StartAsync` (validation, CPython, backend) / first call", Parts(cn), Parts(cm), X(cm.Start / cn.Start) + " (StartAsync)", "—", "—");
        Row(sb, "4b", "… CPU time of the process up to the first result", Ms(cn.CpuToResult), Ms(cm.CpuToResult), X(cm.CpuToResult / cn.CpuToResult), "—", "—");
        Row(sb, "4c", $"reference: `{ColdStartMeasurement.CPython}`, process start to exit (same run; CPU time to its end)", $"{Ms(py.SpawnToResult)} (CPU {Ms(py.CpuToResult)})", $"{Ms(py.SpawnToResult)} (CPU {Ms(py.CpuToResult)})", "—", "—", "—");
        foreach (var (id, configuration, goal) in (ReadOnlySpan<(string, string, double)>)[("4d", ColdStartMeasurement.ReadyToRun, 150), ("4e", ColdStartMeasurement.NativeAot, 80)])
        {
            if (coldStart.TryGetValue(configuration, out var c))
            {
                Row(sb, id, $"… Managed, published with {configuration.Split(", ")[1]}: process start → result (CPU to result)", "—", $"{Ms(c.SpawnToResult)} ({X(c.SpawnToResult / py.SpawnToResult)} CPython; CPU {Ms(c.CpuToResult)})", "—", string.Create(CultureInfo.InvariantCulture, $"≤ {goal} ms"), Met(c.SpawnToResult <= goal));
            }
        }


        // 5. Cancellation.
        var kn = Median(nameof(CancellationBenchmarks), nameof(CancellationBenchmarks.CancelBusyLoop), BenchmarkBackend.Native);
        var km = Median(nameof(CancellationBenchmarks), nameof(CancellationBenchmarks.CancelBusyLoop), BenchmarkBackend.Managed);
        Row(sb, "5", "cancellation latency of `while True: pass` (token cancelled → task completed)", Time(kn), Time(km), X(Ratio(km, kn)), "≤ 50 ms", Met(kn <= 50e6 && km <= 50e6));

        // 6. Contention.
        var tn = contention[BenchmarkBackend.Native];
        var tm = contention[BenchmarkBackend.Managed];
        Row(sb, "6", $"{ContentionMeasurement.Callers} callers × {ContentionMeasurement.CallsPerCaller:N0} `InvokeAsync` calls: calls/s, p99 latency", Throughput(tn, 0), Throughput(tm, 0), X(Parse(tm[0]) / Parse(tn[0])) + " (calls/s)", "report", "—");
        Row(sb, "6a", "reference: the same callers with `Task.Run` + the raw call (`PyGILState_Ensure` + `PyObject_CallNoArgs`)", Throughput(tn, 3), Throughput(tm, 3), X(Parse(tm[3]) / Parse(tn[3])) + " (calls/s)", "—", "—");

        sb.AppendLine();
        sb.AppendLine("Times are BenchmarkDotNet medians (cases 1–3, 5) or medians over processes (case 4); case 6 is the median round of five.");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string id, string label, string native, string managed, string ratio, string target, string met) =>
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {id} | {label} | {native} | {managed} | {ratio} | {target} | {met} |");

    private static double? Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? x / y : null;

    private static string X(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "n/a";

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    private static string Parts(ColdStartResult r) => string.Create(CultureInfo.InvariantCulture, $"{r.SpawnToMain:F0} / {r.Build:F0} / {r.Start:F0} / {r.FirstEval:F0} ms");

    private static string Throughput(string[] fields, int offset) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Parse(fields[offset]):N0}/s, p99 {Parse(fields[offset + 2]) / 1000:F2} ms");

    /// <summary>Formats nanoseconds.</summary>
    private static string Time(double? ns) => ns switch
    {
        null => "n/a",
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns:F1} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:F2} µs"),
        < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:F2} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e9:F2} s"),
    };
}
