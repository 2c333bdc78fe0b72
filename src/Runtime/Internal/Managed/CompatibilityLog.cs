using Microsoft.Extensions.Logging;

namespace PyHosting.Internal.Managed;

/// <summary>
/// Compatibility log lines (category <c>PyHosting.Compatibility</c>). Event ids 100-199 belong to this
/// category (<see cref="Modules.PosixLog"/> uses 110-129); the runtime's own log uses 1-99, Hosting 300-399.
/// </summary>
internal static partial class CompatibilityLog
{
    [LoggerMessage(EventId = 100, EventName = "Unsupported", Level = LogLevel.Debug, Message = "Unsupported: {Message}")]
    public static partial void Unsupported(ILogger logger, string message);

    [LoggerMessage(EventId = 101, EventName = "Ignored", Level = LogLevel.Debug, Message = "Ignored: {What}")]
    public static partial void Ignored(ILogger logger, string what);

    [LoggerMessage(EventId = 102, EventName = "Emulated", Level = LogLevel.Trace, Message = "{What}")]
    public static partial void Emulated(ILogger logger, string what);

    [LoggerMessage(EventId = 103, EventName = "RecursionLimitCapped", Level = LogLevel.Debug, Message = "Ignored: recursion limit {Requested} capped at {Maximum} (and further to what the thread's stack holds) so that deep recursion is a RecursionError")]
    public static partial void RecursionLimitCapped(ILogger logger, long requested, long maximum);

    [LoggerMessage(EventId = 104, EventName = "RecursionLimitCappedToStack", Level = LogLevel.Debug, Message = "Ignored: recursion limit {Requested} capped at {Cap}, what this thread's stack holds, so that deep recursion is a RecursionError")]
    public static partial void RecursionLimitCappedToStack(ILogger logger, long requested, long cap);

    [LoggerMessage(EventId = 105, EventName = "SwitchIntervalCapped", Level = LogLevel.Debug, Message = "Ignored: switch interval {Requested} s capped at {Maximum} s, so that the host can still interrupt a call")]
    public static partial void SwitchIntervalCapped(ILogger logger, double requested, double maximum);

    [LoggerMessage(EventId = 106, EventName = "SignalHandlerRecorded", Level = LogLevel.Debug, Message = "Emulated: installing a handler for signal {Signal} (recorded, never installed in the host; it runs for the signals the runtime emulates)")]
    public static partial void SignalHandlerRecorded(ILogger logger, long signal);

    [LoggerMessage(EventId = 108, EventName = "ChildSignalAbsorbed", Level = LogLevel.Debug, Message = "Emulated: signal {Signal} sent to the host while Python handles it was absorbed (the host survives; the handler is not called)")]
    public static partial void ChildSignalAbsorbed(ILogger logger, int signal);

    [LoggerMessage(EventId = 109, EventName = "FaultHandlerEmulated", Level = LogLevel.Debug, Message = "Emulated: faulthandler.{Function} ({Number}): the calling thread's stack is formatted in Python and written to the runtime's descriptors; no signal handler or host descriptor is involved")]
    public static partial void FaultHandlerEmulated(ILogger logger, string function, long number);

    [LoggerMessage(EventId = 123, EventName = "SignalInterruptIgnored", Level = LogLevel.Debug, Message = "Ignored: signal.siginterrupt for signal {Signal} (an emulated signal interrupts a wait, which is retried after its handler unless the handler raises, whatever the flag)")]
    public static partial void SignalInterruptIgnored(ILogger logger, long signal);

    [LoggerMessage(EventId = 124, EventName = "SignalEmulated", Level = LogLevel.Debug, Message = "Emulated: {What}")]
    public static partial void SignalEmulated(ILogger logger, string what);

    [LoggerMessage(EventId = 131, EventName = "RecordLockEmulated", Level = LogLevel.Debug, Message = "Emulated: {Function} on '{Path}': the runtime is one process, whose own POSIX record locks never conflict; other processes do not see them")]
    public static partial void RecordLockEmulated(ILogger logger, string function, string path);

    [LoggerMessage(EventId = 132, EventName = "FlockEmulated", Level = LogLevel.Debug, Message = "Emulated: flock on fd {Fd}: the lock is the runtime's own, seen by its other descriptors of the same file, not by other processes")]
    public static partial void FlockEmulated(ILogger logger, int fd);

    [LoggerMessage(EventId = 133, EventName = "StatusFlagsIgnored", Level = LogLevel.Debug, Message = "Ignored: fcntl F_SETFL flags 0x{Flags:x} on fd {Fd} (only O_APPEND and O_NONBLOCK are kept)")]
    public static partial void StatusFlagsIgnored(ILogger logger, int flags, int fd);

    [LoggerMessage(EventId = 134, EventName = "DescriptorFlagsIgnored", Level = LogLevel.Debug, Message = "Ignored: {Flag} for {Function} (not supported)")]
    public static partial void DescriptorFlagsIgnored(ILogger logger, string function, string flag);

    [LoggerMessage(EventId = 135, EventName = "CloseOnExecShared", Level = LogLevel.Debug, Message = "Emulated: close-on-exec of fd {Fd} is kept by its open file, shared with the descriptors duplicated from it")]
    public static partial void CloseOnExecShared(ILogger logger, int fd);

    [LoggerMessage(EventId = 136, EventName = "PipeSizeEmulated", Level = LogLevel.Trace, Message = "Emulated: the runtime's pipe of fd {Fd} now holds at most {Size} bytes")]
    public static partial void PipeSizeEmulated(ILogger logger, int fd, int size);

    [LoggerMessage(EventId = 107, EventName = "ThreadStackRaised", Level = LogLevel.Debug, Message = "Ignored: thread stack size {Requested} raised to {Floor}, the least a thread that runs Python gets")]
    public static partial void ThreadStackRaised(ILogger logger, long requested, long floor);

    [LoggerMessage(EventId = 155, EventName = "EpollFromFdRefused", Level = LogLevel.Debug, Message = "Unsupported: select.epoll.fromfd({Fd}): the descriptor is not an epoll object of this runtime")]
    public static partial void EpollFromFdRefused(ILogger logger, int fd);

    [LoggerMessage(EventId = 156, EventName = "EpollNestingRefused", Level = LogLevel.Debug, Message = "Unsupported: epoll descriptor {Fd} nested a second level deep (ELOOP; the runtime's epoll nests one level, Linux's four)")]
    public static partial void EpollNestingRefused(ILogger logger, int fd);

    [LoggerMessage(EventId = 170, EventName = "LibraryDescriptorCallsNotRedirected", Level = LogLevel.Warning, Message = "Unsupported: the interpreter library's own descriptor calls (lseek, dup, fdopen) could not be pointed at the runtime's descriptors ({Reason}); tracebacks printed by C code show no source lines and may reach a host descriptor of the same number")]
    public static partial void LibraryDescriptorCallsNotRedirected(ILogger logger, string reason);

    [LoggerMessage(EventId = 160, EventName = "SignalTimerArmed", Level = LogLevel.Debug, Message = "Emulated: signal.{Function} armed a timer of {Seconds} s (interval {Interval} s) on the runtime's clock; SIGALRM goes to the call that armed it, and the timer ends with that call")]
    public static partial void SignalTimerArmed(ILogger logger, string function, double seconds, double interval);

    [LoggerMessage(EventId = 161, EventName = "SignalDefaultActionEndedCall", Level = LogLevel.Debug, Message = "Emulated: {Signal} arrived with its default action, which ends a process; the call was ended with SystemExit instead")]
    public static partial void SignalDefaultActionEndedCall(ILogger logger, string signal);

    [LoggerMessage(EventId = 162, EventName = "SignalSentToSelf", Level = LogLevel.Debug, Message = "Emulated: signal.{Function} sent signal {Signal} to the calling thread of the call (no host signal is involved)")]
    public static partial void SignalSentToSelf(ILogger logger, string function, int signal);
}
