using System.Text.Json.Serialization;

namespace PyHosting.Compatibility;

/// <summary>Where a test module runs: plain CPython, or the Managed backend with every permission granted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompatibilityTarget>))]
public enum CompatibilityTarget
{
    CPython,
    Managed,
}

/// <summary>One failing, erroring or fixture-breaking test: its id, the outcome and the last line of its traceback.</summary>
public sealed class TestProblem
{
    public string Id { get; set; } = string.Empty;

    /// <summary>Gets or sets <c>failed</c>, <c>errored</c>, <c>fixture</c> (setUpModule/setUpClass), <c>import</c>, <c>aborted</c>,
    /// or <c>running</c> (the test that was running when the process was killed or crashed).</summary>
    public string Outcome { get; set; } = string.Empty;

    public string Detail { get; set; } = string.Empty;
}

/// <summary>The outcome of one test module on one target. Each test id counts once (the worst of its subtests).</summary>
public sealed class ModuleResult
{
    public string Module { get; set; } = string.Empty;

    public CompatibilityTarget Target { get; set; }

    /// <summary>Gets or sets <c>ok</c>, <c>import error</c>, <c>aborted</c>, <c>timeout</c>, <c>crashed</c> or <c>missing</c> (not in the installed test suite).</summary>
    public string Status { get; set; } = "ok";

    public int Run { get; set; }

    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Errored { get; set; }

    public int Skipped { get; set; }

    /// <summary>Gets or sets the number of errors in setUpModule/setUpClass/tearDown fixtures (their tests did not run).</summary>
    public int FixtureErrors { get; set; }

    /// <summary>Gets or sets the number of exceptions that escaped a test's run (unittest does not catch them; the
    /// driver counts each as an error of its test and goes on).</summary>
    public int Escaped { get; set; }

    public double Seconds { get; set; }

    public List<TestProblem> Problems { get; set; } = [];

    /// <summary>Gets or sets the skip reasons with their counts.</summary>
    public Dictionary<string, int> Skips { get; set; } = [];

    /// <summary>Gets or sets the ids of the skipped tests.</summary>
    public List<string> SkippedIds { get; set; } = [];

    /// <summary>Gets or sets what the process said when it ended without a result (the end of its standard error).</summary>
    public string? Detail { get; set; }
}
