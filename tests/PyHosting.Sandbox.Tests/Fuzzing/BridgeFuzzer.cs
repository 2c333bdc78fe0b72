using System.Globalization;
using System.Text.Json.Nodes;
using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.Fuzzing;

/// <summary>One callable the driver found (<c>bridge_fuzz.py</c>): its name, its kind and how many calls its plan holds.</summary>
public sealed record FuzzTarget(string Name, string Kind, int PlannedCalls);

/// <summary>What one target's calls did: how many were made, skipped (a legitimate wait) and at which arities.</summary>
public sealed record FuzzReach(int Made, int Skipped, IReadOnlyList<int> Arities);

/// <summary>
/// Runs <c>bridge_fuzz.py</c> in TestHost processes, one target per request, so that a call that ends the host
/// (or never returns) fails that request alone: the fuzzer then starts a new host, replays the target's calls one
/// at a time to name the call, and goes on with the calls after it. Every target's plan is seeded by its name,
/// so a replay in a fresh process makes the same calls.
/// </summary>
/// <param name="configuration">The TestHost's configuration.</param>
/// <param name="kinds">The kinds of targets to fuzz, or <see langword="null"/> for all.</param>
/// <param name="driver">The driver's file, beside the tests (it defines <c>setup</c>, <c>run</c> and <c>call_description</c>).</param>
/// <param name="finish">
/// A driver expression evaluated once every target ran, in the last host: it releases what the driver holds and
/// returns the runtime's descriptors still open (<see cref="Leftovers"/>); the host's descriptors are compared
/// around it (<see cref="HostDescriptorsBefore"/>, <see cref="HostDescriptorsAfter"/>). <see langword="null"/>: no check.
/// </param>
public sealed class BridgeFuzzer(IReadOnlyDictionary<string, string?> configuration, IReadOnlyCollection<string>? kinds = null, string driver = "bridge_fuzz.py", string? finish = null)
{
    /// <summary>How long one target's calls may take before they count as a hang.</summary>
    private const int TargetTimeoutMs = 20_000;

    /// <summary>How long one replayed call may take.</summary>
    private const int CallTimeoutMs = 3_000;

    private readonly string _driver = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fuzzing", driver));

    private PythonProcess? _process;

    /// <summary>Gets the targets, in the driver's order.</summary>
    public IReadOnlyList<FuzzTarget> Targets { get; private set; } = [];

    /// <summary>Gets the number of hostile values the driver draws from.</summary>
    public int Values { get; private set; }

    /// <summary>Gets the highest arity the driver calls with.</summary>
    public int MaxArity { get; private set; }

    /// <summary>Gets the reach of each target, by name.</summary>
    public Dictionary<string, FuzzReach> Reach { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets every failure: a call that ended the host, hung, raised SystemError or surfaced an unexpected .NET exception.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Gets the number of TestHost processes started.</summary>
    public int Processes { get; private set; }

    /// <summary>Gets the last host's descriptors (number to what <c>/proc/pid/fd</c> names) before the driver's setup.</summary>
    public IReadOnlyDictionary<int, string> HostDescriptorsBefore { get; private set; } = new Dictionary<int, string>();

    /// <summary>Gets the last host's descriptors after the <c>finish</c> expression.</summary>
    public IReadOnlyDictionary<int, string> HostDescriptorsAfter { get; private set; } = new Dictionary<int, string>();

    /// <summary>Gets what the <c>finish</c> expression returned: the runtime's descriptors still open.</summary>
    public IReadOnlyList<int> Leftovers { get; private set; } = [];

    /// <summary>The descriptors of process <paramref name="pid"/>, each with what it names (a file, <c>socket:[inode]</c>, ...).</summary>
    public static Dictionary<int, string> Descriptors(int pid)
    {
        var result = new Dictionary<int, string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                result[int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture)] = new FileInfo(entry).LinkTarget ?? "";
            }
            catch (IOException)
            {
                // Closed while listed.
            }
        }

        return result;
    }

    /// <summary>Fuzzes every target; failures are collected, not thrown.</summary>
    public async Task RunAsync()
    {
        try
        {
            await StartAsync();
            for (var i = 0; i < Targets.Count; i++)
            {
                var start = 0;
                while (start >= 0)
                {
                    start = await RunTargetAsync(i, start);
                }
            }

            Assert.Null(_process!.ExitCode);
            Assert.Equal(2, (await _process.EvalAsync("1 + 1")).GetResult<int>());
            if (finish is not null)
            {
                Leftovers = (await _process.EvalAsync(finish, TargetTimeoutMs)).EnsureOk().GetResult<int[]>()!;
                HostDescriptorsAfter = Descriptors(_process.ProcessId);
            }
        }
        finally
        {
            if (_process is not null)
            {
                await _process.DisposeAsync();
            }
        }
    }

    /// <summary>Runs a target's calls from <paramref name="start"/>; returns where to go on after a located failure, or -1 when done.</summary>
    private async Task<int> RunTargetAsync(int index, int start)
    {
        var target = Targets[index];
        var (response, what) = await TryEvalAsync(string.Create(CultureInfo.InvariantCulture, $"run({index}, {start})"), TargetTimeoutMs);
        if (response is not null)
        {
            Record(target, response.Result!.AsArray());
            return -1;
        }

        // The host died, the calls did not end, or an error escaped them: find the call, one at a time in a new host.
        await RestartAsync();
        for (var j = start; j < target.PlannedCalls; j++)
        {
            var (single, reason) = await TryEvalAsync(string.Create(CultureInfo.InvariantCulture, $"run({index}, {j}, {j + 1})"), CallTimeoutMs);
            if (single is not null)
            {
                Record(target, single.Result!.AsArray());
                continue;
            }

            await RestartAsync();
            Reach[target.Name] = Reach.TryGetValue(target.Name, out var reach) ? reach with { Made = reach.Made + 1 } : new FuzzReach(1, 0, []);
            var call = (await _process!.EvalAsync(string.Create(CultureInfo.InvariantCulture, $"call_description({index}, {j})"))).GetResult<string>();
            Failures.Add($"{call} {reason}");
            return j + 1;
        }

        Failures.Add($"{target.Name}: its calls from {start} {what}, but none did alone (the failure depends on an earlier call)");
        return -1;
    }

    private void Record(FuzzTarget target, JsonArray result)
    {
        var made = (int)result[0]!;
        var skipped = (int)result[1]!;
        var arities = result[2]!.AsArray().Select(static a => (int)a!);
        Reach[target.Name] = Reach.TryGetValue(target.Name, out var previous)
            ? new FuzzReach(previous.Made + made, previous.Skipped + skipped, [.. previous.Arities.Union(arities).Order()])
            : new FuzzReach(made, skipped, [.. arities]);
        Failures.AddRange(result[3]!.AsArray().Select(static f => (string)f!));
    }

    /// <summary>Evaluates a driver call; returns its response when it succeeded, else what went wrong.</summary>
    private async Task<(PythonResponse? Response, string Failure)> TryEvalAsync(string expression, int timeoutMs)
    {
        try
        {
            var response = await _process!.EvalAsync(expression, timeoutMs, capture: true);
            return response.Ok
                ? (response, string.Empty)
                : (null, response.Type == "PythonScriptException" ? $"raised {response.PythonType}: {response.PythonMessage} (outside the call's own handler)" : $"did not return ({response.Type}: {response.Message})");
        }
        catch (InvalidOperationException)
        {
            // The process closed its output before responding.
            return (null, "ended the host");
        }
        catch (TimeoutException)
        {
            return (null, "did not return, and the host did not answer");
        }
    }

    private async Task StartAsync()
    {
        var settings = new Dictionary<string, string?>(configuration, StringComparer.OrdinalIgnoreCase)
        {
            ["PythonRuntime:ExecutionTimeout"] = "00:01:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _process = await PythonProcess.StartAsync(settings);
        Processes++;
        (await _process.ExecAsync(_driver)).EnsureOk();
        HostDescriptorsBefore = Descriptors(_process.ProcessId);
        var filter = kinds is null ? "None" : "[" + string.Join(", ", kinds.Select(static k => $"'{k}'")) + "]";
        var setup = (await _process.EvalAsync($"setup({filter})")).EnsureOk().Result!.AsObject();
        Values = (int)setup["values"]!;
        MaxArity = (int)setup["maxArity"]!;
        var found = setup["targets"]!.AsArray().Select(static t => new FuzzTarget((string)t![0]!, (string)t[1]!, (int)t[2]!)).ToList();
        if (Targets.Count > 0 && !found.Select(static t => t.Name).SequenceEqual(Targets.Select(static t => t.Name)))
        {
            throw new InvalidOperationException("A new host found other targets than the first: replays would not make the same calls.");
        }

        Targets = found;
    }

    private async Task RestartAsync()
    {
        await _process!.DisposeAsync();
        await StartAsync();
    }
}
