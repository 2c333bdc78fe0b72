using Microsoft.Extensions.Logging;

namespace PyHosting.Hosting.Internal;

/// <summary>Source-generated log messages of the hosting layer. Event ids are stable (100-199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "RuntimeStarting", Level = LogLevel.Debug, Message = "Starting the Python runtime with the {Backend} backend")]
    public static partial void RuntimeStarting(ILogger logger, PythonBackend backend);

    [LoggerMessage(EventId = 101, EventName = "RuntimeStartFailed", Level = LogLevel.Critical, Message = "The Python runtime could not be started")]
    public static partial void RuntimeStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, EventName = "RuntimeStopping", Level = LogLevel.Debug, Message = "Stopping the Python runtime")]
    public static partial void RuntimeStopping(ILogger logger);

    [LoggerMessage(EventId = 103, EventName = "NativeBackendIgnoresSettings", Level = LogLevel.Warning, Message = "The Native backend does not enforce {Settings}: Python code has the host process's own access")]
    public static partial void NativeBackendIgnoresSettings(ILogger logger, string settings);
}
