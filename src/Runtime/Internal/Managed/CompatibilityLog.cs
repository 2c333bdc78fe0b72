using Microsoft.Extensions.Logging;

namespace PyHosting.Internal.Managed;

/// <summary>Compatibility log lines (category <c>PyHosting.Compatibility</c>).</summary>
internal static partial class CompatibilityLog
{
    [LoggerMessage(EventId = 100, EventName = "Unsupported", Level = LogLevel.Debug, Message = "Unsupported: {Message}")]
    public static partial void Unsupported(ILogger logger, string message);

    [LoggerMessage(EventId = 101, EventName = "Ignored", Level = LogLevel.Debug, Message = "Ignored: {What}")]
    public static partial void Ignored(ILogger logger, string what);

    [LoggerMessage(EventId = 102, EventName = "Emulated", Level = LogLevel.Trace, Message = "{What}")]
    public static partial void Emulated(ILogger logger, string what);
}
