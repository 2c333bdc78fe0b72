using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PyHosting.TestHost;

/// <summary>One captured log entry.</summary>
internal sealed record CapturedLogEntry(string Category, string Level, int EventId, string Message);

/// <summary>Every log entry of the host, so that tests can query them over the protocol.</summary>
internal sealed class CapturedLogs
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public void Add(CapturedLogEntry entry) => _entries.Enqueue(entry);

    public IReadOnlyList<CapturedLogEntry> Snapshot(string? category) =>
        [.. _entries.Where(e => category is null || string.Equals(e.Category, category, StringComparison.Ordinal))];
}

/// <summary>Feeds <see cref="CapturedLogs"/>.</summary>
internal sealed class CapturingLoggerProvider(CapturedLogs logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, logs);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add(new CapturedLogEntry(category, logLevel.ToString(), eventId.Id, formatter(state, exception)));
    }
}
