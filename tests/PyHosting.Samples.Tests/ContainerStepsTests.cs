using System.Diagnostics;
using System.Text;

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
        var repository = RepositoryRoot();
        var (exitCode, output) = await RunAsync(repository, "bash", Path.Combine(repository, "samples", "WorkerService", "container-steps.sh"), _published.FullName);

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

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The publish must not inherit the test run's MSBuild settings.
        foreach (var name in start.Environment.Keys.Where(static n => n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || n.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || n == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, output), PumpAsync(process.StandardError, output));
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not end within {Limit}:\n{output}");
        }

        await pumps;
        return (process.ExitCode, output.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PyHosting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PyHosting.sln) was not found above the test's output directory.");
    }
}
