using Microsoft.Extensions.Logging;

namespace PyHosting.Internal;

/// <summary>
/// Source-generated log messages of the runtime. Event ids are stable: 1-99 here, 100-199 for the
/// <c>PyHosting.Compatibility</c> category (<see cref="Managed.CompatibilityLog"/>); Hosting uses 300-399.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "PythonStdout", Level = LogLevel.Information, Message = "{Line}")]
    public static partial void PythonStdout(ILogger logger, string line);

    [LoggerMessage(EventId = 2, EventName = "PythonStderr", Level = LogLevel.Warning, Message = "{Line}")]
    public static partial void PythonStderr(ILogger logger, string line);

    [LoggerMessage(EventId = 10, EventName = "InterpreterStarting", Level = LogLevel.Information, Message = "Starting CPython {Version} from {LibraryPath} (found by {Source}) with the {Backend} backend")]
    public static partial void InterpreterStarting(ILogger logger, string version, string libraryPath, string source, PythonBackend backend);

    [LoggerMessage(EventId = 11, EventName = "InterpreterStarted", Level = LogLevel.Information, Message = "Python runtime started in {ElapsedMs} ms")]
    public static partial void InterpreterStarted(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 12, EventName = "InterpreterStopped", Level = LogLevel.Information, Message = "Python runtime stopped")]
    public static partial void InterpreterStopped(ILogger logger);

    [LoggerMessage(EventId = 13, EventName = "InterpreterStopFailed", Level = LogLevel.Warning, Message = "Python runtime did not shut down cleanly")]
    public static partial void InterpreterStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 14, EventName = "MemoryLimitReached", Level = LogLevel.Warning, Message = "PythonRuntime:MemoryLimit ({MemoryLimit} bytes) refused an allocation of {RefusedBytes} bytes with MemoryError, first seen after the Python call {EntryPoint}; {MemoryUsage} bytes are in use now. Later refusals are not logged")]
    public static partial void MemoryLimitReached(ILogger logger, string entryPoint, long memoryLimit, long refusedBytes, long memoryUsage);

    [LoggerMessage(EventId = 15, EventName = "InterpreterStopAbandoned", Level = LogLevel.Warning, Message = "Python runtime stop did not get the interpreter within {TimeoutMs} ms: a call that cannot be interrupted still holds it, and it stays as it is until the process exits")]
    public static partial void InterpreterStopAbandoned(ILogger logger, long timeoutMs);

    [LoggerMessage(EventId = 16, EventName = "InterpreterLeftRunning", Level = LogLevel.Warning, Message = "Python runtime stop flushed Python's standard streams and left the interpreter as it is, not finalised, because Python code still runs ({Running}); the process can exit")]
    public static partial void InterpreterLeftRunning(ILogger logger, string running);

    [LoggerMessage(EventId = 20, EventName = "CallFailed", Level = LogLevel.Debug, Message = "Python call {EntryPoint} failed with {PythonType}")]
    public static partial void CallFailed(ILogger logger, string entryPoint, string pythonType);

    [LoggerMessage(EventId = 21, EventName = "CallCancelled", Level = LogLevel.Debug, Message = "Python call {EntryPoint} interrupted ({Reason})")]
    public static partial void CallInterrupted(ILogger logger, string entryPoint, string reason);

    [LoggerMessage(EventId = 22, EventName = "NativeInterruptUnavailable", Level = LogLevel.Warning, Message = "Calls busy in C code (regular expressions, big-integer arithmetic) cannot be interrupted by this interpreter: {Reason}")]
    public static partial void NativeInterruptUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 23, EventName = "CallNotStopping", Level = LogLevel.Warning, Message = "Python call {EntryPoint} did not stop within {GraceMs} ms of its interruption ({Reason}); its caller is released, the call keeps its thread and the interpreter until it ends")]
    public static partial void CallNotStopping(ILogger logger, string entryPoint, string reason, long graceMs);

    [LoggerMessage(EventId = 24, EventName = "TraceFlagsUnavailable", Level = LogLevel.Warning, Message = "The per-frame trace flags of this interpreter's frame objects were not found: a call that swallows its interrupt and turns off f_trace_lines may outlive its timeout")]
    public static partial void TraceFlagsUnavailable(ILogger logger);

    [LoggerMessage(EventId = 30, EventName = "ProviderFault", Level = LogLevel.Warning, Message = "Provider call {Operation} failed unexpectedly; Python sees EIO")]
    public static partial void ProviderFault(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 32, EventName = "ProbeRefused", Level = LogLevel.Debug, Message = "Refused probe {Operation}: {Refusal}")]
    public static partial void ProbeRefused(ILogger logger, string operation, string refusal);

    [LoggerMessage(EventId = 31, EventName = "PermissionDenied", Level = LogLevel.Information, Message = "Denied {Operation}: {PermissionKey} ({Refusal})")]
    public static partial void PermissionDenied(ILogger logger, string operation, string permissionKey, string refusal);

    [LoggerMessage(EventId = 40, EventName = "SystemSitePackagesNotFollowed", Level = LogLevel.Warning, Message = "The virtual environment {Root} asks for the system's site-packages (include-system-site-packages = true in pyvenv.cfg), which the runtime does not follow: only its own site-packages is on the module path (PythonRuntime:VirtualEnvironment)")]
    public static partial void SystemSitePackagesNotFollowed(ILogger logger, string root);

    [LoggerMessage(EventId = 41, EventName = "PthImportFailed", Level = LogLevel.Warning, Message = "An import line of the virtual environment's .pth files failed, and was skipped as CPython's site skips it: {Failure}")]
    public static partial void PthImportFailed(ILogger logger, string failure);
}
