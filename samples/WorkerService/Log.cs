using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace PyHosting.Samples.WorkerService;

/// <summary>Source-generated log messages of the sample. Event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "JobScheduled", Level = LogLevel.Information, Message = "{Job}: runs {Target} every {Interval}")]
    public static partial void JobScheduled(ILogger logger, string job, string target, TimeSpan interval);

    [LoggerMessage(EventId = 2, EventName = "JobStarting", Level = LogLevel.Information, Message = "{Job}: running {Target}")]
    public static partial void JobStarting(ILogger logger, string job, string target);

    [LoggerMessage(EventId = 3, EventName = "JobOutput", Level = LogLevel.Information, Message = "{Job} | {Line}")]
    public static partial void JobOutput(ILogger logger, string job, string line);

    [LoggerMessage(EventId = 4, EventName = "JobErrorOutput", Level = LogLevel.Warning, Message = "{Job} ! {Line}")]
    public static partial void JobErrorOutput(ILogger logger, string job, string line);

    [LoggerMessage(EventId = 5, EventName = "JobCompleted", Level = LogLevel.Information, Message = "{Job}: {Target} completed in {ElapsedMs:0} ms")]
    public static partial void JobCompleted(ILogger logger, string job, string target, double elapsedMs);

    [LoggerMessage(EventId = 6, EventName = "JobReturned", Level = LogLevel.Information, Message = "{Job}: {Target} returned {Result} in {ElapsedMs:0} ms")]
    public static partial void JobReturned(ILogger logger, string job, string target, string result, double elapsedMs);

    [LoggerMessage(EventId = 7, EventName = "JobDenied", Level = LogLevel.Warning, Message = "{Job}: the sandbox denied an operation: {Reason}")]
    public static partial void JobDenied(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 8, EventName = "JobFailed", Level = LogLevel.Error, Message = "{Job}: failed with {PythonType}: {PythonMessage}")]
    public static partial void JobFailed(ILogger logger, string job, string pythonType, string pythonMessage);

    [LoggerMessage(EventId = 9, EventName = "JobTimedOut", Level = LogLevel.Error, Message = "{Job}: {Reason}")]
    public static partial void JobTimedOut(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 10, EventName = "JobCancelled", Level = LogLevel.Information, Message = "{Job}: cancelled, the host is stopping")]
    public static partial void JobCancelled(ILogger logger, string job);

    [LoggerMessage(EventId = 11, EventName = "RunOnceFinished", Level = LogLevel.Information, Message = "Ran {Count} job(s) once, {Failed} failed")]
    public static partial void RunOnceFinished(ILogger logger, int count, int failed);

    [LoggerMessage(EventId = 12, EventName = "HealthReported", Level = LogLevel.Information, Message = "Health check {Name}: {Status}, {Description}")]
    public static partial void HealthReported(ILogger logger, string name, HealthStatus status, string? description);

    [LoggerMessage(EventId = 20, EventName = "FileSystemChange", Level = LogLevel.Information, Message = "Audit: Python {Operation} {Path}")]
    public static partial void FileSystemChange(ILogger logger, string operation, string path);
}
