using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace PyHosting.Samples.Tests;

/// <summary>
/// The sample published with NativeAOT (<c>dotnet publish -r linux-x64 -p:PublishAot=true</c>, as its README says) into a
/// temporary folder, then run from there: the in-process Managed backend in a native executable, without the .NET runtime.
/// </summary>
[Collection(SamplePublishCollection.Name)]
public sealed class NativeAotPublishTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(10);
    private readonly DirectoryInfo _published = Directory.CreateTempSubdirectory("pyhosting-aot-");
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("pyhosting-aot-out-");

    [Fact]
    public async Task PublishAot_Sample_RunsEveryJobOnceInTheManagedBackend()
    {
        var repository = PublishCommand.RepositoryRoot;
        var started = Stopwatch.GetTimestamp();
        var publish = await PublishCommand.RunAsync(
            repository,
            "dotnet",
            PublishLimit,
            "publish", Path.Combine("samples", "WorkerService"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", _published.FullName);
        output.WriteLine($"publish: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.DoesNotContain("warning", publish.Output, StringComparison.OrdinalIgnoreCase);

        // A native executable, with no managed assembly of the libraries beside it.
        var executable = Path.Combine(_published.FullName, "PyHosting.Samples.WorkerService");
        output.WriteLine($"size: {new FileInfo(executable).Length / 1024 / 1024.0:F1} MiB");
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(executable)[..4]);
        Assert.False(File.Exists(Path.Combine(_published.FullName, "PyHosting.Runtime.dll")), "the libraries were published as assemblies");

        // Worker processes need the .NET runtime, so the NativeAOT build registers no formulas runtime and leaves its jobs
        // out; its configuration section must go too, or the start fails naming it (a section without a registration).
        var settingsPath = Path.Combine(_published.FullName, "appsettings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!.AsObject();
        Assert.True(settings["PythonRuntime"]!.AsObject().Remove("Runtimes"), "the sample's appsettings.json has no PythonRuntime:Runtimes section");
        File.WriteAllText(settingsPath, settings.ToJsonString());

        var run = await PublishCommand.RunAsync(
            _published.FullName,
            executable,
            TimeSpan.FromMinutes(1),
            "--Worker:RunOnce=true", "--PythonRuntime:FileSystem:Mounts:2:Path=/out", $"--PythonRuntime:FileSystem:Mounts:2:HostPath={_out.FullName}");
        output.WriteLine(run.Output);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Ran 3 job(s) once, 0 failed", run.Output, StringComparison.Ordinal);
        Assert.Contains("NativeAOT build: the 'formulas' runtime runs in worker processes, which need the .NET runtime; its 2 job(s) are left out.", run.Output, StringComparison.Ordinal);
        Assert.Contains(
            """order-stats: stats.summarize returned {"label":"daily orders","count":10,"mean":18.3,"median":15.5,"stdev":9.141,"min":11,"max":42,"outliers":[42]}""",
            run.Output,
            StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | DENIED   start a process: ls /: [Errno 13] subprocess denied: PythonRuntime:Permissions:CreateProcess is false", run.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox-tour | REFUSED  read /etc/passwd (the host's files are not mounted): FileNotFoundError", run.Output, StringComparison.Ordinal);
        Assert.Contains("Audit: Python renamed /out/sales-report.json.partial to /out/sales-report.json", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_out.FullName, "sales-report.json")), "the sales report was not written through the mount");
        Assert.Contains("Python runtime stopped", run.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _published.Delete(recursive: true);
        _out.Delete(recursive: true);
    }
}
