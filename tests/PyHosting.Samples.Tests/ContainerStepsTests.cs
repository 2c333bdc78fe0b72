namespace PyHosting.Samples.Tests;

/// <summary>
/// The sample's Dockerfile, checked without Docker: <c>samples/WorkerService/container-steps.sh</c> runs its steps on this
/// Debian 12 machine (its runtime stage's packages exist here, its self-contained publish succeeds, its entry point runs
/// every job once). The base images themselves are not checked.
/// </summary>
[Collection(SamplePublishCollection.Name)]
public sealed class ContainerStepsTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    private readonly DirectoryInfo _published = Directory.CreateTempSubdirectory("pyhosting-container-");

    [Fact]
    public async Task DockerfileSteps_RunOnThisDebian_AndTheWorkerRunsEveryJob()
    {
        var repository = PublishCommand.RepositoryRoot;
        var (exitCode, output) = await PublishCommand.RunAsync(repository, "bash", Limit, Path.Combine(repository, "samples", "WorkerService", "container-steps.sh"), _published.FullName);

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(Path.Combine(_published.FullName, "PyHosting.Samples.WorkerService")), "the self-contained executable was not published");
        Assert.True(File.Exists(Path.Combine(_published.FullName, "scripts", "sales_report.py")), "the scripts were not published");
        Assert.Contains("Ran 5 job(s) once, 0 failed", output, StringComparison.Ordinal);

        // The formulas runtime's worker process runs in the self-contained image, which has no .NET muxer: through the
        // apphost the build gave it, on the runtime files published beside the sample.
        Assert.True(File.Exists(Path.Combine(_published.FullName, "PyHosting.Worker")), "the worker's apphost was not published");
        Assert.Contains("discount-formula: formula round(price * quantity * (1 - discount), 2) returned 331.25", output, StringComparison.Ordinal);
    }

    public void Dispose() => _published.Delete(recursive: true);
}
