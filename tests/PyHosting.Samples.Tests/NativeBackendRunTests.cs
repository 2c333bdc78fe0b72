using System.Text.Json;

namespace PyHosting.Samples.Tests;

/// <summary>
/// Runs the sample once with its shipped configuration switched to the Native backend by the one command-line key a
/// user would pass (<c>--PythonRuntime:Backend=Native</c>), for all the tests of the class.
/// </summary>
public sealed class NativeBackendRun : IAsyncLifetime
{
    internal SampleRun Run { get; private set; } = new(-1, string.Empty, string.Empty);

    internal string Output => Run.StandardOutput;

    public async Task InitializeAsync() => Run = await SampleProcess.RunAsync("--Worker:RunOnce=true", "--PythonRuntime:Backend=Native");

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class NativeBackendRunTests(NativeBackendRun sample) : IClassFixture<NativeBackendRun>
{
    [Fact]
    public void RunOnce_NativeBackend_RunsEveryJobOnceAndExitsZero()
    {
        Assert.True(sample.Run.ExitCode == 0, SampleDirectories.Describe(sample.Run));
        Assert.Contains("Starting CPython 3.11", sample.Output, StringComparison.Ordinal);
        Assert.Contains("with the Native backend", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Ran 5 job(s) once, 0 failed", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditingDecorator_IsNotApplied_AndTheHostSaysSo()
    {
        Assert.Contains("PyHosting.Hosting[304] The Native backend uses no file system provider: the 1 file-system decorator(s) added with DecorateFileSystem are not applied", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Audit: Python", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SalesReportJob_WritesBesideItsScripts_InTheHostFolderMountedAtOut()
    {
        var target = Path.Combine(SampleProcess.OutputDirectory, "out", "sales-report.json");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(target));

        var expected = SalesCsv.Aggregate(Path.Combine(SampleProcess.OutputDirectory, "scripts", "data", "sales.csv"));
        Assert.Equal(Path.Combine(SampleProcess.OutputDirectory, "scripts", "data", "sales.csv"), report.RootElement.GetProperty("source").GetString());
        Assert.Equal(expected.Sum(static r => r.Revenue), report.RootElement.GetProperty("total_revenue").GetDecimal());
        Assert.Contains($"sales-report | wrote {target}: {expected.Count} regions", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void OrderStatsJob_ImportsItsModuleFromTheMountedHostFolder()
    {
        Assert.Contains("order-stats | daily orders: 10 values, mean 18.30, 1 outlier(s)", sample.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SandboxTourJob_IsNotSandboxed()
    {
        Assert.Contains("sandbox-tour | ALLOWED  start a process: ls /: 0", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | ALLOWED  start a thread: None", sample.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | ALLOWED  read /etc/passwd (the host's files are not mounted):", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("DENIED", sample.Output, StringComparison.Ordinal);
    }
}
