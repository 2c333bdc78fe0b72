using Microsoft.Extensions.Logging;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Compatibility log lines of the runtime's emulated identity, ownership and user database (category
/// <c>PyHosting.Compatibility</c>, event ids 140-149).
/// </summary>
internal static partial class OwnershipLog
{
    [LoggerMessage(EventId = 140, EventName = "EmulatedIdentity", Level = LogLevel.Trace, Message = "Returning the runtime's emulated {What} (the host process's own ids are not shown)")]
    public static partial void EmulatedIdentity(ILogger logger, string what);

    [LoggerMessage(EventId = 141, EventName = "OwnerUnchanged", Level = LogLevel.Trace, Message = "Emulated: {Function} of '{Path}' to the runtime's own ids changes nothing (the runtime owns every file it sees)")]
    public static partial void OwnerUnchanged(ILogger logger, string function, string path);

    [LoggerMessage(EventId = 142, EventName = "OwnerChangeRefused", Level = LogLevel.Debug, Message = "Answered EPERM to {Function} of '{Path}' to uid {UserId}, gid {GroupId}: every file the runtime sees belongs to its own unprivileged user, which may not give it away")]
    public static partial void OwnerChangeRefused(ILogger logger, string function, string path, long userId, long groupId);

    [LoggerMessage(EventId = 144, EventName = "IdentityChangeRefused", Level = LogLevel.Debug, Message = "Answered EPERM to {Function}: the runtime is one unprivileged user, which may take no other ids (the host process's ids never change)")]
    public static partial void IdentityChangeRefused(ILogger logger, string function);

    [LoggerMessage(EventId = 143, EventName = "UserDatabaseEmulated", Level = LogLevel.Debug, Message = "Emulated: {Function} answered from the runtime's own user database (root and the runtime's user); the host's is never read")]
    public static partial void UserDatabaseEmulated(ILogger logger, string function);
}
