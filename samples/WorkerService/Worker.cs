using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// Runs the configured jobs: each on its own schedule until the host stops, or every job once
/// (<c>Worker:RunOnce</c>), or one host file (<c>Worker:Script</c>); the last two then stop the
/// host with an exit code.
/// </summary>
internal sealed class Worker(
    PythonJobRunner runner,
    IOptions<WorkerOptions> options,
    IHostApplicationLifetime lifetime,
    WorkerResult result,
    TimeProvider timeProvider,
    ILogger<Worker> logger) : BackgroundService
{
    /// <summary>Where <c>Worker:Script</c>'s folder is mounted.</summary>
    public const string ScriptMount = "/app";

    /// <summary>
    /// The untrusted runtime that evaluates user-supplied formulas (<c>PythonRuntime:Runtimes:formulas</c>): no file access,
    /// in worker processes (<c>Isolation:Mode=Process</c>), next to the trusted default runtime.
    /// </summary>
    public const string FormulasRuntime = "formulas";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = options.Value;
        if (worker.Script is null && !worker.RunOnce)
        {
            await RunOnScheduleAsync(worker.Jobs, stoppingToken);
            return;
        }

        try
        {
            result.ExitCode = worker.Script is { } script
                ? await RunScriptAsync(script, stoppingToken)
                : await RunEveryJobOnceAsync(worker.Jobs, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            result.ExitCode = ExitCodes.Interrupted;
        }

        lifetime.StopApplication();
    }

    private async Task<int> RunScriptAsync(string script, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(script);
        var job = new PythonJobOptions { Name = fileName, Script = $"{ScriptMount}/{fileName}" };
        return await runner.RunAsync(job, cancellationToken) ? ExitCodes.Success : ExitCodes.JobFailed;
    }

    private async Task<int> RunEveryJobOnceAsync(IList<PythonJobOptions> jobs, CancellationToken cancellationToken)
    {
        var failed = 0;
        foreach (var job in jobs)
        {
            if (!await runner.RunAsync(job, cancellationToken))
            {
                failed++;
            }
        }

        Log.RunOnceFinished(logger, jobs.Count, failed);
        return failed == 0 ? ExitCodes.Success : ExitCodes.JobFailed;
    }

    private async Task RunOnScheduleAsync(IList<PythonJobOptions> jobs, CancellationToken stoppingToken)
    {
        foreach (var job in jobs)
        {
            Log.JobScheduled(logger, job.Name, job.Target, job.Interval);
        }

        try
        {
            // Each job keeps its own rhythm; the GIL serialises the Python parts.
            await Task.WhenAll(jobs.Select(job => RunJobOnScheduleAsync(job, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the running calls have been interrupted.
        }
    }

    private async Task RunJobOnScheduleAsync(PythonJobOptions job, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(job.Interval, timeProvider);
        do
        {
            await runner.RunAsync(job, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
