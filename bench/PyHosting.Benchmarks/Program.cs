using BenchmarkDotNet.Running;
using PyHosting.Benchmarks;

// No arguments: the whole suite (BenchmarkDotNet cases, cold start, contention) and the summary table.
// "--contention <Native|Managed>": the contention measurement of one backend (the suite starts it in its own process).
// "--profile <invoke|eval|files|time> <backend> [seconds]": a steady loop for an external profiler;
// "--profile files-phases <backend>" and "--profile call-components <backend>": Stopwatch breakdowns.
// Anything else goes to BenchmarkDotNet, e.g. --filter '*CallOverhead*' or --list flat.
if (args.Length == 2 && args[0] == "--contention")
{
    return ContentionMeasurement.Run(Enum.Parse<BenchmarkBackend>(args[1], ignoreCase: true), Console.Out);
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
