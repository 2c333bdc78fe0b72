using Microsoft.Extensions.Logging;

namespace PyHosting.Hosting.Internal;

/// <summary>Source-generated log messages of the hosting layer. Event ids are stable: Hosting uses 300-399 (this class 300-349, <see cref="Diagnostics.DiagnosticsLog"/> 350-399), disjoint from the runtime's 1-199.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, EventName = "RuntimeStarting", Level = LogLevel.Debug, Message = "Starting the Python runtime {Runtime} with the {Backend} backend")]
    public static partial void RuntimeStarting(ILogger logger, string runtime, PythonBackend backend);

    [LoggerMessage(EventId = 301, EventName = "RuntimeStartFailed", Level = LogLevel.Critical, Message = "The Python runtime {Runtime} could not be started")]
    public static partial void RuntimeStartFailed(ILogger logger, string runtime, Exception exception);

    [LoggerMessage(EventId = 302, EventName = "RuntimeStopping", Level = LogLevel.Debug, Message = "Stopping the Python runtime {Runtime}")]
    public static partial void RuntimeStopping(ILogger logger, string runtime);

    [LoggerMessage(EventId = 303, EventName = "NativeBackendIgnoresSettings", Level = LogLevel.Warning, Message = "The Native backend does not enforce {Settings} (runtime {Runtime}): Python code has the host process's own access")]
    public static partial void NativeBackendIgnoresSettings(ILogger logger, string runtime, string settings);

    [LoggerMessage(EventId = 304, EventName = "FileSystemDecoratorsNotApplied", Level = LogLevel.Information, Message = "The Native backend uses no file system provider: the {Count} file-system decorator(s) added with DecorateFileSystem are not applied (runtime {Runtime})")]
    public static partial void FileSystemDecoratorsNotApplied(ILogger logger, string runtime, int count);
}
