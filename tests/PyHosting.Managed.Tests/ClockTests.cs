using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>Python's clocks follow the injected <see cref="TimeProvider"/> (a FakeTimeProvider the test advances).</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class ClockTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task WallClocks_ReadTheProvidersTime()
    {
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var now = fixture.Clock.GetUtcNow();
        var result = await fixture.RunAsync<List<object?>>("""
            import datetime, time
            return [time.time(), time.time_ns(), datetime.datetime.now(datetime.timezone.utc).isoformat(),
                    datetime.datetime.utcnow().isoformat(), time.gmtime().tm_year, time.strftime('%Y', time.gmtime())]
            """);

        Assert.Equal(now.ToUnixTimeMilliseconds() / 1000.0, (double)result![0]!, 3);
        Assert.Equal((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, result[1]);
        Assert.Equal(now.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ((string)result[2]!)[..19]);
        Assert.Equal(now.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ((string)result[3]!)[..19]);
        Assert.Equal((long)now.Year, result[4]);
        Assert.Equal(now.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), result[5]);
    }

    [Fact]
    public async Task DateToday_AndLocalNow_FollowTheProviderInTheLocalZone()
    {
        // Noon UTC keeps the date the same in every zone within twelve hours of UTC.
        var now = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(now.Date.AddDays(1).AddHours(12) - now.UtcDateTime);
        var expected = TimeZoneInfo.ConvertTime(fixture.Clock.GetUtcNow(), fixture.Clock.LocalTimeZone);
        var result = await fixture.RunAsync<List<object?>>("""
            import datetime
            return [datetime.date.today().isoformat(), datetime.datetime.now().isoformat()]
            """);

        Assert.Equal(expected.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), result![0]);
        Assert.Equal(expected.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ((string)result[1]!)[..19]);
    }

    [Fact]
    public async Task MonotonicClocks_AdvanceExactlyWithTheProvider()
    {
        await fixture.Runtime.ExecuteAsync("import time\n_clock_start = (time.monotonic(), time.perf_counter(), time.monotonic_ns(), time.perf_counter_ns())");
        fixture.Clock.Advance(TimeSpan.FromSeconds(2.5));
        var result = await fixture.RunAsync<List<object?>>("""
            import time
            m, p, mn, pn = _clock_start
            return [time.monotonic() - m, time.perf_counter() - p, time.monotonic_ns() - mn, time.perf_counter_ns() - pn]
            """);

        Assert.Equal(2.5, (double)result![0]!, 6);
        Assert.Equal(2.5, (double)result[1]!, 6);
        Assert.Equal(2_500_000_000L, result[2]);
        Assert.Equal(2_500_000_000L, result[3]);
    }

    [Fact]
    public async Task Sleep_BlocksUntilTheProviderIsAdvanced()
    {
        var marker = ManagedRuntimeFixture.Unique("sleeping");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<double>($$"""
            import time
            start = time.monotonic()
            open('/tmp/{{marker}}', 'w').close()
            time.sleep(30)
            return time.monotonic() - start
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200, limit.Token);
        Assert.False(call.IsCompleted);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(30.0, await call.WaitAsync(limit.Token), 6);
    }

    [Fact]
    public async Task Sleep_HonoursCancellation()
    {
        var marker = ManagedRuntimeFixture.Unique("cancelled");
        using var cancel = new CancellationTokenSource();
        var call = fixture.Runtime.ExecuteAsync($"import time\nopen('/tmp/{marker}', 'w').close()\ntime.sleep(3600)", cancel.Token);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await WaitForFileAsync(marker, limit.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(limit.Token));
        Assert.Equal(2, await fixture.Runtime.EvaluateAsync<long>("1 + 1")); // the runtime is still usable
    }

    [Fact]
    public async Task SleepInAThread_WaitsOnTheSameClock()
    {
        var marker = ManagedRuntimeFixture.Unique("thread");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import threading, time
            result = []
            def worker():
                open('/tmp/{{marker}}', 'w').close()
                time.sleep(10)
                result.append('woke')
            t = threading.Thread(target=worker)
            t.start()
            t.join()
            return result[0]
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("woke", await call.WaitAsync(limit.Token));
    }

    private async Task WaitForFileAsync(string name, CancellationToken cancellationToken)
    {
        while (fixture.Tmp.GetStatus("/" + name) is null)
        {
            await Task.Delay(5, cancellationToken);
        }
    }
}
