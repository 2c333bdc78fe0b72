using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace PyHosting.Hosting.Diagnostics;

/// <summary>
/// Reports whether the interpreter answers: Healthy when <c>1 + 1</c> evaluates to 2 within the
/// timeout; the registration's failure status when the runtime is not running, fails, or does not answer.
/// </summary>
/// <remarks>
/// A hung interpreter (code holding the GIL in native code) blocks the probe's thread until the
/// GIL is released; so that repeated checks do not pile such threads up, a check joins the
/// probe still in flight instead of starting another.
/// </remarks>
internal sealed class PythonRuntimeHealthCheck(IPythonRuntime runtime, TimeProvider timeProvider, TimeSpan timeout, ILogger logger) : IHealthCheck
{
    internal const string ProbeExpression = "1 + 1";

    private readonly Lock _gate = new();
    private Task<long>? _probe;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failureStatus = context.Registration.FailureStatus;
        var started = timeProvider.GetTimestamp();
        Task<long> probe;
        lock (_gate)
        {
            if (_probe is null || _probe.IsCompleted)
            {
                _probe = StartProbe();
            }

            probe = _probe;
        }

        try
        {
            var answer = await probe.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            var elapsed = timeProvider.GetElapsedTime(started);
            return answer == 2
                ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"The Python interpreter ({runtime.Backend} backend) answered in {elapsed.TotalMilliseconds:0.#} ms."))
                : new HealthCheckResult(failureStatus, string.Create(CultureInfo.InvariantCulture, $"The Python interpreter answered {ProbeExpression} with {answer}."));
        }
        catch (TimeoutException) when (!probe.IsCompleted)
        {
            DiagnosticsLog.HealthProbeUnanswered(logger, timeout);
            return new HealthCheckResult(failureStatus, string.Create(CultureInfo.InvariantCulture, $"The Python interpreter did not answer within {timeout.TotalSeconds:0.###} s: it is hung or a call holds the GIL."));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidOperationException e)
        {
            return new HealthCheckResult(failureStatus, "The Python runtime is not running: " + e.Message, e);
        }
        catch (Exception e)
        {
            return new HealthCheckResult(failureStatus, "The Python interpreter failed the health probe: " + e.Message, e);
        }
    }

    private Task<long> StartProbe()
    {
        try
        {
            // No cancellation: a probe that waits for the GIL is joined by the next check, not abandoned.
            return runtime.EvaluateAsync<long>(ProbeExpression, CancellationToken.None);
        }
        catch (Exception e)
        {
            return Task.FromException<long>(e);
        }
    }
}
