using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PyHosting.Managed.Tests.TestSupport;

/// <summary>One captured log entry.</summary>
public sealed record LogEntry(long Sequence, string Category, LogLevel Level, string EventName, string Message);

/// <summary>Records every log entry of the runtime so that tests can assert compatibility lines.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private long _sequence;

    /// <summary>Gets the sequence number of the next entry (a mark to read entries from).</summary>
    public long Mark => Interlocked.Read(ref _sequence);

    public IReadOnlyList<LogEntry> Since(long mark, string? category = null) =>
        [.. _entries.Where(e => e.Sequence >= mark && (category is null || e.Category == category))];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var sequence = Interlocked.Increment(ref owner._sequence) - 1;
            owner._entries.Enqueue(new LogEntry(sequence, category, logLevel, eventId.Name ?? string.Empty, formatter(state, exception)));
        }
    }
}
