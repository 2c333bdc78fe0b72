using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PyHosting.Testing.Diagnostics;

/// <summary>Writes every log entry from a minimum level up as a line <c>category level: message</c>, keeping the first lines up to a capacity.</summary>
internal sealed class QueueLoggerProvider(ConcurrentQueue<string> lines, LogLevel minimum = LogLevel.Trace, int capacity = 20_000) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, lines, minimum, capacity);

    public void Dispose()
    {
    }

    private sealed class QueueLogger(string category, ConcurrentQueue<string> lines, LogLevel minimum, int capacity) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && lines.Count < capacity)
            {
                lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
