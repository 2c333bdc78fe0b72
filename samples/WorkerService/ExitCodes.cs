namespace PyHosting.Samples.WorkerService;

/// <summary>The process's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Every job (or the script) succeeded, or the worker was stopped while waiting.</summary>
    public const int Success = 0;

    /// <summary>A job (or the script) raised a Python error, was denied or timed out.</summary>
    public const int JobFailed = 1;

    /// <summary>The configuration is invalid, or the runtime refused to start (<c>PythonRuntimeStartupErrors.ExitCode</c>, returned by <c>RunPythonHostAsync</c>).</summary>
    public const int ConfigurationError = PyHosting.Hosting.PythonRuntimeStartupErrors.ExitCode;

    /// <summary>Ctrl+C (or SIGTERM) interrupted <c>RunOnce</c> or <c>Script</c> before it finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

/// <summary>The exit code the worker decided on, returned by <c>Main</c> once the host has stopped.</summary>
internal sealed class WorkerResult
{
    public int ExitCode { get; set; } = ExitCodes.Success;
}
