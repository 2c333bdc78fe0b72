using BenchmarkDotNet.Running;
using PyHosting.Benchmarks;

// No arguments: the whole suite (BenchmarkDotNet cases, cold start, contention) and the summary table.
// "--contention <Native|Managed>": the contention measurement of one backend (the suite starts it in its own process).
// "--coldstart [runs]": the cold start measurement alone, with CPython's own start as the baseline.
// "--pool": CPU-bound calls from 16 callers in process and on pools of 1, 2 and 4 worker processes.
// "--profile <invoke|eval|files|stat|open-close|time> <backend> [seconds]": a steady loop for an external profiler;
// "--profile files-phases <backend>" and "--profile call-components <backend>": Stopwatch breakdowns.
// Anything else goes to BenchmarkDotNet, e.g. --filter '*CallOverhead*' or --list flat.
if (args.Length == 2 && args[0] == "--contention")
{
    return ContentionMeasurement.Run(Enum.Parse<BenchmarkBackend>(args[1], ignoreCase: true), Console.Out);
}

if (args.Length is 1 or 2 && args[0] == "--coldstart")
{
    var runs = args.Length == 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : ColdStartMeasurement.Runs;
    var results = ColdStartMeasurement.Run(Console.Out, runs);
    var cpython = results[ColdStartMeasurement.CPython];
    foreach (var (configuration, result) in results)
    {
        Console.Out.WriteLine(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{configuration}: process start → result {result.SpawnToResult:F0} ms ({result.SpawnToResult / cpython.SpawnToResult:F1}× CPython), main {result.SpawnToMain:F0} / build {result.Build:F0} / start {result.Start:F0} / first call {result.FirstEval:F0} ms, CPU {result.CpuToResult:F1} ms ({result.CpuToResult / cpython.CpuToResult:F1}× CPython's) (median of {result.Runs})"));
    }

    return 0;
}

if (args.Length == 1 && args[0] == "--pool")
{
    return PoolScalingMeasurement.Run(Console.Out);
}

if (args.Length == 3 && args[0] == "--profile" && args[1] == "call-components")
{
    return CallComponents.Run(Enum.Parse<BenchmarkBackend>(args[2], ignoreCase: true), Console.Out);
}

if (args.Length is 3 or 4 && args[0] == "--profile")
{
    var seconds = args.Length == 4 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20;
    return ProfileLoop.Run(args[1], Enum.Parse<BenchmarkBackend>(args[2], ignoreCase: true), seconds, Console.Out);
}

if (args.Length == 0)
{
    return Suite.Run(Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Suite).Assembly).Run(args, BenchmarkConfig.Create());
return 0;
