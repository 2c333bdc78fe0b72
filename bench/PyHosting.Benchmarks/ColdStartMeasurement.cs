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

    /// <summary>The Managed backend in the cold start console published with ReadyToRun (framework-dependent).</summary>
    public const string ReadyToRun = "Managed, ReadyToRun";

    /// <summary>The Managed backend in the cold start console published with NativeAOT.</summary>
    public const string NativeAot = "Managed, NativeAOT";

    /// <summary>
    /// Runs each configuration <see cref="Runs"/> times, interleaved: Native and Managed under the JIT, Managed published
    /// with ReadyToRun and with NativeAOT (published first, into the artifacts folder, from the current sources), and
    /// CPython's own start (<see cref="CPython"/>, process start to exit).
    /// </summary>
    public static IReadOnlyDictionary<string, ColdStartResult> Run(TextWriter log, int runs = Runs)
    {
        var executables = new Dictionary<string, string>
        {
            ["Native"] = Path.Combine(AppContext.BaseDirectory, "PyHosting.ColdStart"),
            ["Managed"] = Path.Combine(AppContext.BaseDirectory, "PyHosting.ColdStart"),
        };
        foreach (var (configuration, properties) in (ReadOnlySpan<(string, string[])>)[
            (ReadyToRun, ["--self-contained", "false", "-p:PublishReadyToRun=true"]),
            (NativeAot, ["-p:PublishAot=true"])])
        {
            if (Publish(log, configuration, properties) is { } executable)
            {
                executables[configuration] = executable;
            }
        }

        var samples = executables.Keys.Append(CPython).ToDictionary(static c => c, static _ => new List<Dictionary<string, double>>());

        // One unmeasured run each: the first start after a build pays for cold disk caches.
        foreach (var configuration in samples.Keys)
        {
            _ = configuration == CPython ? RunCPython() : RunOnce(executables[configuration], configuration);
        }

        for (var i = 0; i < runs; i++)
        {
            foreach (var (configuration, list) in samples)
            {
                var sample = configuration == CPython ? RunCPython() : RunOnce(executables[configuration], configuration);
                list.Add(sample);
                log.WriteLine($"cold start {configuration} #{i + 1}: " + string.Join(", ", sample.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:F1}"))));
            }
        }

        log.WriteLine($"load average after the runs: {LoadAverage()}");
        return samples.ToDictionary(p => p.Key, p => ColdStartResult.From(p.Value));
    }

    private static readonly Lazy<string> ContentRoot = new(static () => Directory.CreateTempSubdirectory("pyhosting-coldstart-").FullName);

    /// <summary>The first three fields of <c>/proc/loadavg</c>.</summary>
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Publishes the cold start console for linux-x64 with <paramref name="properties"/>; returns its executable, or null when the publish failed.</summary>
    private static string? Publish(TextWriter log, string configuration, string[] properties)
    {
        var project = FindProject();
        if (project is null)
        {
            log.WriteLine($"cold start {configuration}: bench/PyHosting.ColdStart not found above {AppContext.BaseDirectory}; not measured.");
            return null;
        }

        var output = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", "coldstart", configuration.Split(", ")[1]);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["publish", project, "-c", "Release", "-r", "linux-x64", .. properties, "-o", output])
        {
            info.ArgumentList.Add(argument);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var executable = Path.Combine(output, "PyHosting.ColdStart");
        if (process.ExitCode != 0 || !File.Exists(executable))
        {
            log.WriteLine($"cold start {configuration}: the publish failed ({process.ExitCode}); not measured.\n{text}{error.GetAwaiter().GetResult()}");
            return null;
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold start {configuration}: published in {elapsed:F0} s, executable {new FileInfo(executable).Length / 1048576.0:F1} MiB ({output})"));
        return executable;
    }

    private static string? FindProject()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var project = Path.Combine(dir.FullName, "bench", "PyHosting.ColdStart", "PyHosting.ColdStart.csproj");
            if (File.Exists(project))
            {
                return project;
            }
        }

        return null;
    }

    /// <summary>
    /// Starts <c>python3.11 -c pass</c>, with <c>pass</c> replaced by printing the process's CPU time so far
    /// (<c>time.process_time()</c>, a built-in module), and times it to its exit (milliseconds).
    /// </summary>
    private static Dictionary<string, double> RunCPython()
    {
        var info = new ProcessStartInfo("python3.11") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = ContentRoot.Value };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import time; print(time.process_time() * 1000)");
        var spawned = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("python3.11 did not start.");
        var cpu = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var elapsed = Stopwatch.GetElapsedTime(spawned).TotalMilliseconds;
        return new Dictionary<string, double>
        {
            ["spawnToResultMs"] = elapsed,
            ["spawnToMainMs"] = 0,
            ["buildMs"] = 0,
            ["startMs"] = 0,
            ["firstEvalMs"] = 0,
            ["cpuToResultMs"] = double.Parse(cpu, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Runs the console once; returns its own breakdown plus the times observed from here (milliseconds).</summary>
    private static Dictionary<string, double> RunOnce(string executable, string configuration)
    {
        var backend = configuration.Split(',')[0];
        var info = new ProcessStartInfo(File.Exists(executable) ? executable : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // The host's content root: an application's own folder, not a crowded one (the host watches it for configuration files).
            WorkingDirectory = ContentRoot.Value,
        };
        if (!File.Exists(executable))
        {
            info.ArgumentList.Add(executable + ".dll");
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
