using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace PyHosting.Benchmarks;

/// <summary>Runs every case of the suite and writes the comparison table (<c>pyhosting-summary.md</c> beside BenchmarkDotNet's reports).</summary>
internal static class Suite
{
    public static int Run(TextWriter output)
    {
        var wall = Stopwatch.StartNew();
        var summaries = BenchmarkRunner.Run(
        [
            typeof(FileWorkloadBenchmarks),
            typeof(CallOverheadBenchmarks),
            typeof(ClockEnvironmentBenchmarks),
            typeof(CancellationBenchmarks),
            typeof(MemoryHookBenchmarks),
        ],
        BenchmarkConfig.Create());

        var coldStart = ColdStartMeasurement.Run(output);
        var contention = new Dictionary<BenchmarkBackend, string[]>();
        foreach (var backend in (ReadOnlySpan<BenchmarkBackend>)[BenchmarkBackend.Native, BenchmarkBackend.Managed])
        {
            contention[backend] = RunContention(backend);
        }

        var table = SummaryTable.Build(summaries, coldStart, contention);
        var directory = summaries.FirstOrDefault()?.ResultsDirectoryPath ?? Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "pyhosting-summary.md");
        File.WriteAllText(path, table);
        output.WriteLine();
        output.WriteLine(table);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Summary written to {path} (suite ran {wall.Elapsed.TotalMinutes:F1} min)."));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    /// <summary>Runs the contention measurement in a fresh process (CPython starts once per process).</summary>
    private static string[] RunContention(BenchmarkBackend backend)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Suite).Assembly.Location);
        }

        info.ArgumentList.Add("--contention");
        info.ArgumentList.Add(backend.ToString());
        using var process = Process.Start(info) ?? throw new InvalidOperationException("The contention process did not start.");
        var lines = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();
        var line = lines.FirstOrDefault(l => l.StartsWith("CONTENTION ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"The contention measurement of {backend} failed ({process.ExitCode}).");
        }

        return line.Trim().Split(' ')[2..];
    }
}
