using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PyHosting.Benchmarks;

/// <summary>
/// Case 4: cold start as a whole process. Starts <c>PyHosting.ColdStart</c> (generic host,
/// <c>AddPythonRuntime</c>, <c>StartAsync</c> with options validation, first <c>EvaluateAsync&lt;int&gt;("1+1")</c>)
/// again and again, alternating the backends and CPython's own start, and times process start to the first result.
/// </summary>
internal static class ColdStartMeasurement
{
    public const int Runs = 10;

    /// <summary>The baseline: CPython's own start and exit, <c>python3.11 -c pass</c>.</summary>
    public const string CPython = "python3.11 -c pass";

    /// <summary>
    /// Runs each configuration <see cref="Runs"/> times, interleaved: Native, Managed, and CPython's own start
    /// (<see cref="CPython"/>, process start to exit).
    /// </summary>
    public static IReadOnlyDictionary<string, ColdStartResult> Run(TextWriter log, int runs = Runs)
    {
        var samples = new Dictionary<string, List<Dictionary<string, double>>> { ["Native"] = [], ["Managed"] = [], [CPython] = [] };

        // One unmeasured run each: the first start after a build pays for cold disk caches.
        _ = RunOnce("Native");
        _ = RunOnce("Managed");
        _ = RunCPython();
        for (var i = 0; i < runs; i++)
        {
            foreach (var (configuration, list) in samples)
            {
                var sample = configuration == CPython ? RunCPython() : RunOnce(configuration);
                list.Add(sample);
                log.WriteLine($"cold start {configuration} #{i + 1}: " + string.Join(", ", sample.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:F1}"))));
            }
        }

        return samples.ToDictionary(p => p.Key, p => ColdStartResult.From(p.Value));
    }

    /// <summary>Starts <c>python3.11 -c pass</c> and times it to its exit (milliseconds).</summary>
    private static Dictionary<string, double> RunCPython()
    {
        var info = new ProcessStartInfo("python3.11") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("pass");
        var spawned = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("python3.11 did not start.");
        process.WaitForExit();
        var elapsed = Stopwatch.GetElapsedTime(spawned).TotalMilliseconds;
        return new Dictionary<string, double>
        {
            ["spawnToResultMs"] = elapsed,
            ["spawnToMainMs"] = 0,
            ["buildMs"] = 0,
            ["startMs"] = 0,
            ["firstEvalMs"] = 0,
            ["cpuToResultMs"] = double.NaN, // an exited child's CPU time is not readable from here
        };
    }

    /// <summary>Runs the console once; returns its own breakdown plus the times observed from here (milliseconds).</summary>
    private static Dictionary<string, double> RunOnce(string configuration)
    {
        var backend = configuration.Split('+')[0];
        var directory = AppContext.BaseDirectory;
        var apphost = Path.Combine(directory, "PyHosting.ColdStart");
        var info = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!File.Exists(apphost))
        {
            info.ArgumentList.Add(Path.Combine(directory, "PyHosting.ColdStart.dll"));
        }

        info.ArgumentList.Add(backend);
        var spawned = Stopwatch.GetTimestamp();
        info.ArgumentList.Add(spawned.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("The cold start process did not start.");
        var error = process.StandardError.ReadToEndAsync();
        Dictionary<string, double>? sample = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("COLDSTART ", StringComparison.Ordinal))
            {
                var observed = Stopwatch.GetElapsedTime(spawned).TotalMilliseconds;
                using var doc = JsonDocument.Parse(line["COLDSTART ".Length..]);
                sample = doc.RootElement.EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.Number)
                    .ToDictionary(p => p.Name, p => p.Value.GetDouble());
                sample["observedMs"] = observed;
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || sample is null)
        {
            throw new InvalidOperationException($"The cold start process failed ({process.ExitCode}): {error.GetAwaiter().GetResult()}");
        }

        sample["processMs"] = Stopwatch.GetElapsedTime(spawned).TotalMilliseconds;
        return sample;
    }
}

/// <summary>Medians of the cold start runs of one backend, in milliseconds.</summary>
internal sealed record ColdStartResult(double SpawnToResult, double SpawnToMain, double Build, double Start, double FirstEval, double CpuToResult, int Runs)
{
    public static ColdStartResult From(IReadOnlyList<Dictionary<string, double>> samples)
    {
        double Median(string name)
        {
            var values = samples.Select(s => s[name]).Order().ToArray();
            return values[values.Length / 2];
        }

        return new ColdStartResult(Median("spawnToResultMs"), Median("spawnToMainMs"), Median("buildMs"), Median("startMs"), Median("firstEvalMs"), Median("cpuToResultMs"), samples.Count);
    }
}
