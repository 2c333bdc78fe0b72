using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// Runs jobs through <see cref="IPythonRuntime"/>, one at a time: their Python output and results go
/// to the log under the job's name, and every failure is reported there rather than thrown.
/// </summary>
/// <remarks>
/// One job at a time: Python runs one thread at a time anyway, and each job's log lines stay together.
/// </remarks>
/// <param name="python">The runtime.</param>
/// <param name="timeProvider">The clock of the jobs' durations.</param>
/// <param name="logger">The jobs' log.</param>
/// <param name="paths">Maps job scripts' runtime paths for the configured backend; <see langword="null"/> passes them as they are.</param>
/// <param name="runtimes">The named runtimes a job may name (<see cref="PythonJobOptions.RuntimeName"/>); <see langword="null"/> when there are none.</param>
internal sealed class PythonJobRunner(IPythonRuntime python, TimeProvider timeProvider, ILogger<PythonJobRunner> logger, RuntimePaths? paths = null, IPythonRuntimeProvider? runtimes = null) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Runs the job once.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Stops the job: the runtime interrupts the running Python code.</param>
    /// <returns><see langword="true"/> when the job succeeded; <see langword="false"/> when it raised, was denied or timed out.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> RunAsync(PythonJobOptions job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await RunNowAsync(job, cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    private async Task<bool> RunNowAsync(PythonJobOptions job, CancellationToken cancellationToken)
    {
        Log.JobStarting(logger, job.Name, job.Target);
        var started = timeProvider.GetTimestamp();
        using var stdout = new JobOutputWriter(logger, job.Name, isError: false);
        using var stderr = new JobOutputWriter(logger, job.Name, isError: true);
        try
        {
            // The trusted default runtime, or the named one the job asks for (formulas run on the untrusted one).
            var runtime = job.RuntimeName.Length == 0 ? python
                : runtimes?.Get(job.RuntimeName) ?? throw new InvalidOperationException($"Job '{job.Name}' names the runtime '{job.RuntimeName}', and no named runtimes are registered.");

            // Python's output of the calls made in this flow goes to the job's writers.
            using (runtime.RedirectOutput(stdout, stderr))
            {
                if (job.Script is { } script)
                {
                    await runtime.RunFileAsync(job.RuntimeName.Length == 0 ? paths?.ForBackend(script) ?? script : script, cancellationToken);
                    Log.JobCompleted(logger, job.Name, job.Target, Elapsed(started));
                }
                else if (job.Formula is { } formula)
                {
                    // The formula is untrusted text: Python's eval on the untrusted runtime, with the job's variables as its
                    // globals. Whatever it tries is checked there (no file access, no processes, no threads).
                    var variables = new Dictionary<string, object?>(job.FormulaVariables, StringComparer.Ordinal);
                    var result = await runtime.InvokeAsync<object>("builtins", "eval", [formula, variables], cancellationToken);
                    Log.JobReturned(logger, job.Name, job.Target, Format(result), Elapsed(started));
                }
                else
                {
                    var result = await runtime.InvokeAsync<object>(job.Module!, job.Function!, [.. job.Arguments], cancellationToken);
                    Log.JobReturned(logger, job.Name, job.Target, Format(result), Elapsed(started));
                }
            }

            return true;
        }
        catch (PythonScriptException e) when (e.PythonType == "PermissionError")
        {
            // The message names the permission key, e.g. "... denied: PythonRuntime:Permissions:CreateProcess is false".
            Log.JobDenied(logger, job.Name, e.PythonMessage);
            return false;
        }
        catch (PythonScriptException e)
        {
            // The traceback goes where Python would print it: the job's standard error, line by line.
            stderr.Write(e.PythonTraceback);
            stderr.Flush();
            Log.JobFailed(logger, job.Name, e.PythonType, e.PythonMessage);
            return false;
        }
        catch (TimeoutException e)
        {
            Log.JobTimedOut(logger, job.Name, e.Message);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.JobCancelled(logger, job.Name);
            throw;
        }
    }

    /// <summary>Formats a Python result (plain .NET data: dictionaries, lists, numbers, strings) as JSON for the log.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON text.</returns>
    internal static string Format(object? result)
    {
        try
        {
            return JsonSerializer.Serialize(result, ResultJson.Default.Object);
        }
        catch (NotSupportedException)
        {
            // For example a BigInteger, which System.Text.Json does not write.
            return result?.ToString() ?? "null";
        }
    }

    private double Elapsed(long started) => timeProvider.GetElapsedTime(started).TotalMilliseconds;
}
