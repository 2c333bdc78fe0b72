using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PyHosting.Compatibility;

/// <summary>Writes the results as a Markdown table (between markers in the compatibility document, whose other text
/// is kept) and as a JSON file of the raw results.</summary>
public static class Report
{
    /// <summary>The line before the generated part of the document.</summary>
    public const string BeginMarker = "<!-- compatibility-results:begin (written by bench/PyHosting.Compatibility) -->";

    /// <summary>The line after the generated part of the document.</summary>
    public const string EndMarker = "<!-- compatibility-results:end -->";

    /// <summary>Writes both files.</summary>
    public static async Task WriteAsync(string markdownPath, string jsonPath, IReadOnlyList<(ModuleResult CPython, ModuleResult Managed)> results, RunnerSettings settings)
    {
        var elapsed = Elapsed(results);
        var raw = new
        {
            date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            timeLimitSeconds = settings.TimeLimit.TotalSeconds,
            minutes = Math.Round(elapsed.TotalMinutes, 1),
            modules = results.Select(static r => new { module = r.CPython.Module, area = Modules.AreaOf(r.CPython.Module), cpython = r.CPython, managed = r.Managed }),
        };
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(raw, CompatibilityRunner.JsonOptions) + "\n");

        var generated = Markdown(results, settings, elapsed);
        var existing = File.Exists(markdownPath) ? await File.ReadAllTextAsync(markdownPath) : null;
        string text;
        if (existing is not null && existing.IndexOf(BeginMarker, StringComparison.Ordinal) is var begin and >= 0
            && existing.IndexOf(EndMarker, begin, StringComparison.Ordinal) is var end and >= 0)
        {
            text = existing[..begin] + generated + existing[(end + EndMarker.Length)..];
        }
        else
        {
            text = "# Compatibility with CPython's regression tests\n\n" + generated + "\n";
        }

        await File.WriteAllTextAsync(markdownPath, text);
    }

    /// <summary>Reads the results of an earlier run from its JSON file (none when there is no file).</summary>
    public static async Task<List<(ModuleResult CPython, ModuleResult Managed)>> ReadAsync(string jsonPath)
    {
        if (!File.Exists(jsonPath))
        {
            return [];
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        return [.. document.RootElement.GetProperty("modules").EnumerateArray().Select(static m => (
            m.GetProperty("cpython").Deserialize<ModuleResult>(CompatibilityRunner.JsonOptions)!,
            m.GetProperty("managed").Deserialize<ModuleResult>(CompatibilityRunner.JsonOptions)!))];
    }

    /// <summary>Reads the per-module time limit an earlier run recorded in its JSON file.</summary>
    public static async Task<double> ReadTimeLimitAsync(string jsonPath)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        return document.RootElement.GetProperty("timeLimitSeconds").GetDouble();
    }

    /// <summary>Gets the time the module runs took, process starts included (the sum of both targets' runs).</summary>
    public static TimeSpan Elapsed(IEnumerable<(ModuleResult CPython, ModuleResult Managed)> results) =>
        TimeSpan.FromSeconds(results.Sum(static r => r.CPython.Seconds + r.Managed.Seconds));

    /// <summary>Gets the one-line overall summary.</summary>
    public static string Summary(IReadOnlyList<(ModuleResult CPython, ModuleResult Managed)> results)
    {
        var cpython = results.Sum(static r => r.CPython.Passed);
        var managed = results.Sum(static r => r.Managed.Passed);
        return string.Create(CultureInfo.InvariantCulture,
            $"Overall: {managed} of {cpython} tests that pass on CPython pass on the Managed backend ({Ratio(managed, cpython)}) over {results.Count} modules.");
    }

    /// <summary>Gets the Managed backend's failing tests that neither fail nor are skipped on CPython, with their outcome and detail.</summary>
    public static IEnumerable<TestProblem> ManagedOnlyProblems(ModuleResult cpython, ModuleResult managed)
    {
        var failingOnCPython = cpython.Problems.Select(static p => p.Id).Concat(cpython.SkippedIds).ToHashSet();
        return managed.Problems.Where(p => !failingOnCPython.Contains(p.Id));
    }

    private static string Markdown(IReadOnlyList<(ModuleResult CPython, ModuleResult Managed)> results, RunnerSettings settings, TimeSpan elapsed)
    {
        var s = new StringBuilder();
        s.AppendLine(BeginMarker);
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd}: {results.Count} modules, at most {settings.TimeLimit.TotalSeconds:0} s per module and target, {elapsed.TotalMinutes:0} minutes of module runs in all (one module at a time).");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"**{Summary(results)}**");
        s.AppendLine();
        s.AppendLine("| Area | Modules | CPython passed | Managed passed | Ratio |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var area in results.GroupBy(static r => Modules.AreaOf(r.CPython.Module)))
        {
            var c = area.Sum(static r => r.CPython.Passed);
            var m = area.Sum(static r => r.Managed.Passed);
            s.AppendLine(CultureInfo.InvariantCulture, $"| {area.Key} | {area.Count()} | {c} | {m} | {Ratio(m, c)} |");
        }

        s.AppendLine();
        s.AppendLine("Per module (run = tests started; each test counts once, the worst of its subtests; *fixture* = setUpClass/setUpModule errors, whose tests did not run):");
        s.AppendLine();
        s.AppendLine("| Module | CPython passed / run | Managed passed / run | Ratio | Managed failed / errored / skipped | Notes |");
        s.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var (cpython, managed) in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {cpython.Module} | {Cell(cpython)} | {Cell(managed)} | {Ratio(managed.Passed, cpython.Passed)} | {managed.Failed} / {managed.Errored} / {managed.Skipped} | {Notes(cpython, managed)} |");
        }

        var lost = results.SelectMany(static r => Causes.Lost(r.CPython, r.Managed)).ToList();
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Tests that pass on CPython and not on the Managed backend, by cause ({lost.Sum(static l => l.Count)} in all; a test may also pass on the Managed backend and fail on CPython, so this is not exactly the difference of the totals):");
        s.AppendLine();
        s.AppendLine("| Cause | Classification | Tests | Modules |");
        s.AppendLine("|---|---|---:|---|");
        var byCause = lost.GroupBy(static l => Causes.Of(l)).OrderByDescending(static g => g.Sum(static l => l.Count)).ToList();
        foreach (var group in byCause.Where(static g => g.Key is not null))
        {
            var modules = group.GroupBy(static l => l.Module).OrderByDescending(static m => m.Sum(static l => l.Count))
                .Select(static m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Sum(static l => l.Count)}"));
            s.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key!.Name} | {Describe(group.Key.Classification)} | {group.Sum(static l => l.Count)} | {string.Join(", ", modules)} |");
        }

        var unclassified = byCause.Where(static g => g.Key is null).SelectMany(static g => g).Where(static l => l.Count > 0).ToList();
        if (unclassified.Count > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| *not matched by a known cause (listed below)* | | {unclassified.Sum(static l => l.Count)} | |");
            s.AppendLine();
            s.AppendLine("Not matched by a known cause (the runner's `Causes.cs`); explained in the sections below:");
            s.AppendLine();
            s.AppendLine("| Module | Test | Outcome | Detail |");
            s.AppendLine("|---|---|---|---|");
            foreach (var l in unclassified.OrderBy(static l => l.Module, StringComparer.Ordinal).ThenBy(static l => l.Id, StringComparer.Ordinal))
            {
                var id = l.Id.StartsWith("test.", StringComparison.Ordinal) ? l.Id[(l.Id.IndexOf('.', 5) + 1)..] : l.Id;
                var count = l.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" ×{l.Count}") : "";
                s.AppendLine($"| {l.Module} | {Escape(id)} | {l.Outcome}{count} | {Escape(Shorten(l.Detail, 160))} |");
            }
        }

        s.AppendLine();
        s.Append(EndMarker);
        return s.ToString();
    }

    private static string Cell(ModuleResult r) => r.Status switch
    {
        "ok" => string.Create(CultureInfo.InvariantCulture, $"{r.Passed} / {r.Run}"),
        "aborted" or "timeout" or "crashed" => string.Create(CultureInfo.InvariantCulture, $"{r.Passed} / {r.Run} ({r.Status})"),
        var other => other,
    };

    private static string Notes(ModuleResult cpython, ModuleResult managed)
    {
        var notes = new List<string>();
        if (managed.FixtureErrors > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{managed.FixtureErrors} fixture error(s)"));
        }

        if (managed.Status is "timeout" or "crashed")
        {
            var running = managed.Problems.FirstOrDefault(static p => p.Outcome == "running");
            notes.Add($"{managed.Status}{(running is null ? "" : $" in `{running.Id.Split('.')[^2..].Aggregate(static (a, b) => a + "." + b)}`")}");
        }
        else if (managed.Status is not "ok")
        {
            var detail = managed.Problems.FirstOrDefault()?.Detail ?? managed.Detail;
            notes.Add($"{managed.Status}{(string.IsNullOrEmpty(detail) ? "" : ": " + detail)}");
        }

        if (managed.Escaped > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{managed.Escaped} exception(s) escaped unittest"));
        }

        var top = ManagedOnlyProblems(cpython, managed).Where(static p => p.Outcome != "running").GroupBy(static p => p.Detail).OrderByDescending(static g => g.Count()).FirstOrDefault();
        if (top is not null && managed.Status is not "import error")
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{top.Count()}× `{Shorten(top.Key, 110)}`"));
        }

        if (cpython.Status is not "ok")
        {
            notes.Add($"CPython: {cpython.Status}");
        }

        return Escape(string.Join("; ", notes));
    }

    private static string Describe(Classification classification) => classification switch
    {
        Classification.EmulatedByDesign => "emulated by design",
        Classification.NotYetSupported => "not yet supported",
        Classification.Bug => "bug",
        _ => "environment",
    };

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Escape(string text) => text.Replace("|", "\\|").Replace("\n", " ");

    private static string Ratio(int managed, int cpython) =>
        cpython == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * managed / cpython:0.0} %");
}
