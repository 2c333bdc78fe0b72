using Microsoft.Extensions.Logging;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Compatibility log lines of the emulated POSIX layer (category <c>PyHosting.Compatibility</c>):
/// ignored arguments and unsupported calls at Debug, emulated defaults at Trace.
/// </summary>
internal static partial class PosixLog
{
    [LoggerMessage(EventId = 110, EventName = "EmulatedUmaskReturned", Level = LogLevel.Trace, Message = "Returning emulated umask {Mask}")]
    public static partial void EmulatedUmaskReturned(ILogger logger, string mask);

    [LoggerMessage(EventId = 111, EventName = "EmulatedUmaskSet", Level = LogLevel.Trace, Message = "Emulated umask set to {Mask}; the process umask is unchanged")]
    public static partial void EmulatedUmaskSet(ILogger logger, string mask);

    [LoggerMessage(EventId = 112, EventName = "IgnoredInheritable", Level = LogLevel.Debug, Message = "Ignored: setting inheritable for fd {Fd} (not supported)")]
    public static partial void IgnoredInheritable(ILogger logger, int fd);

    [LoggerMessage(EventId = 113, EventName = "IgnoredBlocking", Level = LogLevel.Debug, Message = "Ignored: setting blocking mode for fd {Fd} (not supported)")]
    public static partial void IgnoredBlocking(ILogger logger, int fd);

    [LoggerMessage(EventId = 114, EventName = "IgnoredOpenFlags", Level = LogLevel.Debug, Message = "Ignored: open flags 0x{Flags:x} for '{Path}' (not supported)")]
    public static partial void IgnoredOpenFlags(ILogger logger, int flags, string path);

    [LoggerMessage(EventId = 115, EventName = "EmulatedParentPid", Level = LogLevel.Trace, Message = "Returning emulated parent pid 1")]
    public static partial void EmulatedParentPid(ILogger logger);

    [LoggerMessage(EventId = 116, EventName = "EmulatedExit", Level = LogLevel.Trace, Message = "Emulated os._exit({Status}): the call ends with SystemExit, the process keeps running")]
    public static partial void EmulatedExit(ILogger logger, int status);

    [LoggerMessage(EventId = 117, EventName = "IgnoredSignal", Level = LogLevel.Debug, Message = "Ignored: signal {Signal} for child process {Pid} is delivered as a kill (not supported)")]
    public static partial void IgnoredSignal(ILogger logger, int signal, int pid);

    [LoggerMessage(EventId = 118, EventName = "IgnoredSubprocessArgument", Level = LogLevel.Debug, Message = "Ignored: subprocess argument {Argument} (not supported)")]
    public static partial void IgnoredSubprocessArgument(ILogger logger, string argument);

    [LoggerMessage(EventId = 119, EventName = "UnsupportedFunction", Level = LogLevel.Debug, Message = "Unsupported: {Function} is not supported by the managed backend")]
    public static partial void UnsupportedFunction(ILogger logger, string function);

    [LoggerMessage(EventId = 120, EventName = "EmulatedNodeName", Level = LogLevel.Trace, Message = "Returning emulated node name {NodeName} from uname")]
    public static partial void EmulatedNodeName(ILogger logger, string nodeName);

    [LoggerMessage(EventId = 121, EventName = "EmulatedProcessGroup", Level = LogLevel.Trace, Message = "Returning the runtime's pid as its emulated {What}")]
    public static partial void EmulatedProcessGroup(ILogger logger, string what);

    [LoggerMessage(EventId = 122, EventName = "HiddenIdentifier", Level = LogLevel.Debug, Message = "Answered {Error} to {Function}({Identifier}): the runtime sees only its own process, thread and clocks")]
    public static partial void HiddenIdentifier(ILogger logger, string function, long identifier, string error);

    /// <summary>Formats a mode the way the README and Python write it (<c>0o022</c>).</summary>
    public static string Octal(int mode) => "0o" + Convert.ToString(mode, 8).PadLeft(3, '0');
}
