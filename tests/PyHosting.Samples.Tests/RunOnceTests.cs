using System.Text.Json;

namespace PyHosting.Samples.Tests;

/// <summary>
/// Runs the sample once with its shipped configuration (<c>--Worker:RunOnce=true</c>) in the
/// Development environment (appsettings.Development.json on top) for all the tests of the class.
/// </summary>
public sealed class ShippedConfigurationRun : IAsyncLifetime
{
    private readonly SampleDirectories _directories = new();

    internal SampleRun Run { get; private set; } = new(-1, string.Empty, string.Empty);

    internal string Output => Run.StandardOutput;

    internal string OutputDirectory => _directories.Out.FullName;

    public async Task InitializeAsync() => Run = await SampleProcess.RunAsync(["--Worker:RunOnce=true", "--environment", "Development", .. _directories.OutputMount]);

    public Task DisposeAsync()
    {
        _directories.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RunOnceTests(ShippedConfigurationRun sample) : IClassFixture<ShippedConfigurationRun>
{
    [Fact]
    public void RunOnce_ShippedConfiguration_RunsEveryJobOnceAndExitsZero()
    {
        Assert.True(sample.Run.ExitCode == 0, SampleDirectories.Describe(sample.Run));
        Assert.Contains("Ran 5 job(s) once, 0 failed", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Python runtime stopped", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SalesReportJob_WritesTheRegionTotalsOfTheShippedCsvToOut()
    {
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sample.OutputDirectory, "sales-report.json")));

        var expected = SalesCsv.Aggregate(Path.Combine(SampleProcess.OutputDirectory, "scripts", "data", "sales.csv"));
        var root = report.RootElement;
        Assert.Equal("/app/data/sales.csv", root.GetProperty("source").GetString());
        Assert.Equal(expected.Sum(static r => r.Revenue), root.GetProperty("total_revenue").GetDecimal());
        var regions = root.GetProperty("regions").EnumerateArray().Select(static r => new SalesCsv.Region(
            r.GetProperty("region").GetString()!,
            r.GetProperty("orders").GetInt32(),
            r.GetProperty("units").GetInt32(),
            r.GetProperty("revenue").GetDecimal(),
            r.GetProperty("best_seller").GetString()!));
        Assert.Equal(expected.OrderByDescending(static r => r.Revenue), regions);
        Assert.Contains($"sales-report | wrote /out/sales-report.json: {expected.Count} regions", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SalesReportJob_WritesThroughTheAuditingFileSystem()
    {
        Assert.Contains("Audit: Python opened for writing /out/sales-report.json.partial", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Audit: Python renamed /out/sales-report.json.partial to /out/sales-report.json", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void OrderStatsJob_CallsTheFunctionWithTheConfiguredArguments_AndLogsItsResult()
    {
        Assert.Contains("order-stats | daily orders: 10 values, mean 18.30, 1 outlier(s)", sample.Output, StringComparison.Ordinal);
        Assert.Contains(
            """order-stats: stats.summarize returned {"label":"daily orders","count":10,"mean":18.3,"median":15.5,"stdev":9.141,"min":11,"max":42,"outliers":[42]}""",
            sample.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void FormulaJobs_RunOnTheUntrustedFormulasRuntime_InAWorkerProcess()
    {
        Assert.Contains("discount-formula: formula round(price * quantity * (1 - discount), 2) returned 331.25", sample.Output, StringComparison.Ordinal);
        Assert.Contains("shipping-formula: formula 0 if total >= free_above else max(4.9, round(weight_kg * 1.2, 2)) returned 4.9", sample.Output, StringComparison.Ordinal);

        // The formulas runtime's health check answers from its worker process, next to the default runtime's.
        Assert.Contains("Health check PythonRuntime:formulas: Healthy", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Health check PythonRuntime: Healthy", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SandboxTourJob_ReportsEachRefusalWithThePermissionKey()
    {
        Assert.Contains("sandbox-tour | DENIED   start a process: ls /: [Errno 13] subprocess denied: PythonRuntime:Permissions:CreateProcess is false", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | DENIED   start a thread: [Errno 13] starting a thread denied: PythonRuntime:Permissions:CreateThread is false", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Denied fork_exec: PythonRuntime:Permissions:CreateProcess", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | REFUSED  read /etc/passwd (the host's files are not mounted): FileNotFoundError", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | ALLOWED  read the environment variable HOME: None", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | ALLOWED  set the umask (emulated, the process's own is untouched): '0o22'", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void DevelopmentEnvironment_LogsCompatibilityNotesAtDebug()
    {
        Assert.Contains("dbug: PyHosting.Compatibility[106] Emulated: installing a handler for signal 15", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | ALLOWED  handle SIGTERM (recorded; the host never delivers it): 'recorded'", sample.Output, StringComparison.Ordinal);
    }
}
