using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Worker;

/// <summary>
/// The worker's clock when the host's runtime has one of its own (<c>WithTimeProvider</c>): the time and the
/// timestamps are the host clock's, and timers run on it (the host fires them, the worker runs their callbacks),
/// so that <c>time.time</c>, <c>time.monotonic</c>, <c>time.sleep</c> and asyncio's timers follow the host's clock.
/// </summary>
/// <param name="link">The channel.</param>
/// <param name="frequency">The host clock's timestamp frequency.</param>
/// <param name="localTimeZone">The host clock's local time zone when the worker started (the runtime's local zone).</param>
internal sealed class BrokeredTimeProvider(HostLink link, long frequency, TimeZoneInfo localTimeZone) : TimeProvider
{
    private static readonly byte[] NoArguments = BrokerArgs.Array(0).ToArray();
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public override long TimestampFrequency => frequency;

    public override TimeZoneInfo LocalTimeZone => localTimeZone;

    public override DateTimeOffset GetUtcNow()
        => new(BrokeredFileSystem.Reader(link.Request(BrokerOperation.GetUtcNow, NoArguments), 1).ReadInt64(), TimeSpan.Zero);

    public override long GetTimestamp()
        => BrokeredFileSystem.Reader(link.Request(BrokerOperation.GetTimestamp, NoArguments), 1).ReadInt64();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new BrokeredTimer(link, link.NextId());
        link.AddTimer(timer.Id, () => callback(state));
        link.Request(BrokerOperation.CreateTimer, Times(timer.Id, dueTime, period));
        return timer;
    }

    private static byte[] Times(long id, TimeSpan due, TimeSpan period)
        => BrokerArgs.Array(3).Add(id).Add(Clamp(due)).Add(Clamp(period)).ToArray();

    private static long Clamp(TimeSpan span) => span == Timeout.InfiniteTimeSpan ? span.Ticks
        : span < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(span))
        : Math.Min(span.Ticks, MaxTimerSpan.Ticks);

    private sealed class BrokeredTimer(HostLink link, long id) : ITimer
    {
        private int _disposed;

        public long Id => id;

        public bool Change(TimeSpan dueTime, TimeSpan period)
            => _disposed == 0 && BrokeredFileSystem.Reader(link.Request(BrokerOperation.ChangeTimer, Times(id, dueTime, period)), 1).ReadBoolean();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                link.RemoveTimer(id);
                try
                {
                    link.Request(BrokerOperation.DisposeTimer, BrokerArgs.Array(1).Add(id).ToArray());
                }
                catch (Providers.PythonIOException)
                {
                    // The host has gone: its timers have gone with the channel.
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
