using System.Globalization;
using PyHosting.Compatibility;

// The runner's own executable is also the child that hosts a Managed runtime.
if (args.Length > 0 && args[0] == ManagedHost.Verb)
{
    return await ManagedHost.RunAsync(args[1..]);
}

// A script in the runtime a module runs in (every permission, / mounted as itself, the current directory as working directory).
if (args.Length == 2 && args[0] == "script")
{
    var extensions = await new CompatibilityRunner(new RunnerSettings()).NativeExtensionsAsync();
    var child = ManagedHost.StartInfo(ManagedHost.ScriptModule, Path.GetFullPath(args[1]), Environment.CurrentDirectory, extensions);
    return await ManagedHost.RunAsync([.. child.ArgumentList.Skip(2)]);
}

var settings = new RunnerSettings();
var modules = new List<string>();
var output = Path.Combine("docs", "compatibility.md");
string? json = null;
var merge = false;
var reportOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--modules" when i + 1 < args.Length:
            modules.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            break;
        case "--timeout" when i + 1 < args.Length:
            settings.TimeLimit = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
            break;
        case "--python" when i + 1 < args.Length:
            settings.PythonExecutable = args[++i];
            break;
        case "--output" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--report":
            reportOnly = true;
            break;
        case "--merge":
            merge = true;
            break;
        case "--json" when i + 1 < args.Length:
            json = args[++i];
            break;
        case "--set" when i + 1 < args.Length && args[i + 1].Contains('=', StringComparison.Ordinal):
            var entry = args[++i].Split('=', 2);
            settings.Overrides[entry[0]] = entry[1];
            break;
        default:
            Console.Error.WriteLine("""
                usage: PyHosting.Compatibility [--modules test_json,test_re,...] [--timeout seconds] [--python python3.11]
                                               [--output docs/compatibility.md] [--json docs/compatibility.json] [--merge | --report]
                                               [--set PythonRuntime:Permissions:HostSockets=false ...]   (Managed side only)
                       PyHosting.Compatibility script file.py   (runs a script in the runtime a module runs in)
                """);
            return 64;
    }
}

json ??= Path.ChangeExtension(output, ".json");
if (reportOnly)
{
    // The documents again from the JSON file, without running anything (after a change to Causes.cs).
    var earlier = await Report.ReadAsync(json);
    await Report.WriteAsync(output, json, earlier, new RunnerSettings { TimeLimit = TimeSpan.FromSeconds(await Report.ReadTimeLimitAsync(json)) });
    Console.WriteLine(Report.Summary(earlier));
    return 0;
}

if (modules.Count == 0)
{
    modules.AddRange(Modules.All);
}

var runner = new CompatibilityRunner(settings);
if (await runner.CheckTestSuiteAsync() is { } problem)
{
    Console.Error.WriteLine(problem);
    return 1;
}

// --merge: the modules run now replace theirs in the earlier results, which are kept otherwise.
var results = merge ? await Report.ReadAsync(json) : [];
var order = Modules.All.ToList();
foreach (var module in modules)
{
    var cpython = await runner.RunAsync(module, CompatibilityTarget.CPython);
    var managed = await runner.RunAsync(module, CompatibilityTarget.Managed);
    results.RemoveAll(r => r.CPython.Module == module);
    results.Add((cpython, managed));
    if (merge)
    {
        results = [.. results.OrderBy(r => order.IndexOf(r.CPython.Module) is var i and >= 0 ? i : int.MaxValue)];
    }

    // Written after every module, so that a long run can be read while it goes on.
    await Report.WriteAsync(output, json, results, settings);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{module,-34} CPython {cpython.Passed,5}/{cpython.Run,-5} {cpython.Status,-12} Managed {managed.Passed,5}/{managed.Run,-5} {managed.Status,-12} ({cpython.Seconds:0.0} s, {managed.Seconds:0.0} s)"));
}

await Report.WriteAsync(output, json, results, settings);
Console.WriteLine(Report.Summary(results));
Console.WriteLine($"Wrote {output} and {json} ({Report.Elapsed(results).TotalMinutes:0.0} min of module runs).");
return 0;
