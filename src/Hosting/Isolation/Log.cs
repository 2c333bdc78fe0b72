using Microsoft.Extensions.Logging;

namespace PyHosting.Hosting.Isolation;

/// <summary>The log messages of process isolation (Hosting's event ids 330–349).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 330, EventName = "WorkerStarted", Level = LogLevel.Debug, Message = "Started Python worker process {ProcessId} (confined: {Confined}) in {ElapsedMilliseconds} ms")]
    public static partial void WorkerStarted(ILogger logger, int processId, bool confined, long elapsedMilliseconds);

    [LoggerMessage(EventId = 331, EventName = "WorkerEnded", Level = LogLevel.Error, Message = "Python worker process {ProcessId} ended unexpectedly (exit code {ExitCode}, signal {Signal}): {Description}")]
    public static partial void WorkerEnded(ILogger logger, int processId, int? exitCode, int? signal, string description);

    [LoggerMessage(EventId = 332, EventName = "WorkerKilled", Level = LogLevel.Warning, Message = "Killing Python worker process {ProcessId}: {Reason}")]
    public static partial void WorkerKilled(ILogger logger, int processId, string reason);

    [LoggerMessage(EventId = 333, EventName = "WorkerProtocolViolation", Level = LogLevel.Error, Message = "Python worker process {ProcessId} broke the channel's protocol and is killed: {Violation}")]
    public static partial void WorkerProtocolViolation(ILogger logger, int processId, string violation);

    [LoggerMessage(EventId = 334, EventName = "WorkerStderr", Level = LogLevel.Debug, Message = "Python worker process {ProcessId}: {Line}")]
    public static partial void WorkerStderr(ILogger logger, int processId, string line);

    [LoggerMessage(EventId = 335, EventName = "ConfinementUnavailable", Level = LogLevel.Warning, Message = "Python worker processes run unconfined: {Reason}. Set PythonRuntime:Isolation:Confinement=Required to refuse to start without confinement, or None to silence this warning")]
    public static partial void ConfinementUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 336, EventName = "WorkerRecycled", Level = LogLevel.Debug, Message = "Replacing Python worker process {ProcessId} after {Calls} calls (PythonRuntime:Isolation:RecycleAfterCalls)")]
    public static partial void WorkerRecycled(ILogger logger, int processId, int calls);

    [LoggerMessage(EventId = 345, EventName = "BrokeredProviderFailed", Level = LogLevel.Warning, Message = "A provider serving Python worker process {ProcessId} failed ({Operation}); the worker gets errno {ErrorNumber}")]
    public static partial void BrokeredProviderFailed(ILogger logger, int processId, string operation, int errorNumber, Exception exception);

    [LoggerMessage(EventId = 346, EventName = "BrokeredRequestRefused", Level = LogLevel.Warning, Message = "Python worker process {ProcessId} asked for an operation its configuration refuses ({Operation}): {Reason}")]
    public static partial void BrokeredRequestRefused(ILogger logger, int processId, string operation, string reason);
}
