using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// Runs the health checks once the host has started and logs the result. A worker has no HTTP
/// endpoint; a web application would map the same checks with <c>app.MapHealthChecks("/healthz")</c>.
/// </summary>
internal sealed class RuntimeHealthReporter(HealthCheckService health, ILogger<RuntimeHealthReporter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var report = await health.CheckHealthAsync(stoppingToken);
        foreach (var (name, entry) in report.Entries)
        {
            Log.HealthReported(logger, name, entry.Status, entry.Description);
        }
    }
}
