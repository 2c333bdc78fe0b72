namespace PyHosting.Compatibility.Tests;

/// <summary>One runner for the class: it finds the embedded CPython and its test suite once.</summary>
public sealed class RunnerFixture
{
    public CompatibilityRunner Runner { get; } = new(new RunnerSettings
    {
        // A guard against a hung child, far above what these modules take; not a measurement.
        TimeLimit = TimeSpan.FromMinutes(5),
    });
}

/// <summary>
/// CPython test modules that pass on the Managed backend as they do on plain CPython, run through the
/// compatibility runner's own code path: same counts, same failing tests (none expected). A module that
/// regresses fails here; the full comparison is the runner's job (docs/compatibility.md).
/// </summary>
public sealed class CompatibilitySubsetTests(RunnerFixture fixture) : IClassFixture<RunnerFixture>
{
    [Theory]
    [InlineData("test_fnmatch")]
    [InlineData("test_base64")]
    [InlineData("test_json.test_decode")]
    [InlineData("test_textwrap")]
    [InlineData("test_urlparse")]
    public async Task Module_passes_on_the_Managed_backend_as_on_CPython(string module)
    {
        var missing = await fixture.Runner.CheckTestSuiteAsync();
        Assert.True(missing is null, $"{missing} (eng/setup.sh installs the regression test suite, Debian's libpython3.11-testsuite).");

        var cpython = await fixture.Runner.RunAsync(module, CompatibilityTarget.CPython);
        var managed = await fixture.Runner.RunAsync(module, CompatibilityTarget.Managed);

        Assert.True(cpython.Status == "ok", $"CPython: {cpython.Status} {cpython.Detail}");
        Assert.True(cpython.Run > 0, $"CPython ran no test of {module}.");
        Assert.True(managed.Status == "ok", $"Managed: {managed.Status} {managed.Detail} {Describe(managed)}");
        Assert.Equal(Describe(cpython), Describe(managed));
        Assert.Equal(
            (cpython.Run, cpython.Passed, cpython.Failed, cpython.Errored, cpython.Skipped, cpython.FixtureErrors),
            (managed.Run, managed.Passed, managed.Failed, managed.Errored, managed.Skipped, managed.FixtureErrors));
    }

    private static string Describe(ModuleResult result) =>
        string.Join("\n", result.Problems.Select(static p => $"{p.Outcome} {p.Id}: {p.Detail}").Order(StringComparer.Ordinal));
}

/// <summary>A runner whose Managed runtime has no HostSockets: <c>socket.socketpair()</c> is the runtime's own, so asyncio's event loop runs.</summary>
public sealed class NoHostSocketsRunnerFixture
{
    public NoHostSocketsRunnerFixture()
    {
        var settings = new RunnerSettings { TimeLimit = TimeSpan.FromMinutes(5) };
        settings.Overrides["PythonRuntime:Permissions:HostSockets"] = "false";
        Runner = new CompatibilityRunner(settings);
    }

    public CompatibilityRunner Runner { get; }
}

/// <summary>asyncio's suites that need no host socket pass on the Managed backend as on plain CPython (event loop, selector, locks, queues).</summary>
public sealed class AsyncioSubsetTests(NoHostSocketsRunnerFixture fixture) : IClassFixture<NoHostSocketsRunnerFixture>
{
    [Theory]
    [InlineData("test_asyncio.test_locks")]
    [InlineData("test_asyncio.test_queues")]
    [InlineData("test_asyncio.test_selector_events")]
    public async Task Module_passes_without_HostSockets_as_on_CPython(string module)
    {
        var missing = await fixture.Runner.CheckTestSuiteAsync();
        Assert.True(missing is null, $"{missing} (eng/setup.sh installs the regression test suite, Debian's libpython3.11-testsuite).");

        var cpython = await fixture.Runner.RunAsync(module, CompatibilityTarget.CPython);
        var managed = await fixture.Runner.RunAsync(module, CompatibilityTarget.Managed);

        Assert.True(cpython.Status == "ok" && cpython.Run > 0, $"CPython: {cpython.Status} {cpython.Detail}");
        Assert.True(managed.Status == "ok", $"Managed: {managed.Status} {managed.Detail}");
        Assert.Equal((cpython.Run, cpython.Passed), (managed.Run, managed.Passed));
        Assert.Empty(managed.Problems);
    }
}
