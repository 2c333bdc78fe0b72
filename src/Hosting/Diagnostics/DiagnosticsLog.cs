using Microsoft.Extensions.Logging;

namespace PyHosting.Hosting.Diagnostics;

/// <summary>Source-generated log messages of health checks, metrics and tracing. Event ids are stable (350-399, within Hosting's 300-399).</summary>
internal static partial class DiagnosticsLog
{
    [LoggerMessage(EventId = 350, EventName = "HealthProbeUnanswered", Level = LogLevel.Warning, Message = "The Python interpreter did not answer a health probe within {Timeout}: it is hung or a call holds the GIL")]
    public static partial void HealthProbeUnanswered(ILogger logger, TimeSpan timeout);
}
