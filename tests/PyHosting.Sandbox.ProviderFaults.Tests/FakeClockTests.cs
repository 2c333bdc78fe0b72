namespace PyHosting.Sandbox.ProviderFaults.Tests;

/// <summary>
/// Every clock Python can read follows the host's TimeProvider (HOSTILE.md family 21): with a fake clock in
/// the year 2000, no path leads to the real time.
/// </summary>
[Collection(FaultyProvidersCollection.Name)]
public sealed class FakeClockTests(FaultyProvidersFixture fixture)
{
    [Theory]
    [InlineData("__import__('time').time()")]
    [InlineData("__import__('time').time_ns() / 1e9")]
    [InlineData("__import__('time').clock_gettime(__import__('time').CLOCK_REALTIME)")]
    [InlineData("__import__('time').clock_gettime_ns(__import__('time').CLOCK_REALTIME) / 1e9")]
    [InlineData("__import__('time').mktime(__import__('time').localtime())")]
    [InlineData("__import__('calendar').timegm(__import__('time').gmtime())")]
    [InlineData("__import__('datetime').datetime.now(__import__('datetime').timezone.utc).timestamp()")]
    [InlineData("__import__('datetime').datetime.utcnow().replace(tzinfo=__import__('datetime').timezone.utc).timestamp()")]
    [InlineData("__import__('datetime').datetime.now().timestamp()")]
    [InlineData("__import__('logging').makeLogRecord({}).created")]
    public async Task WallClock_FollowsTheTimeProvider(string expression)
    {
        var seconds = await fixture.EvaluateAsync<double>(expression);

        Assert.InRange(seconds, FaultyProvidersFixture.Now.ToUnixTimeSeconds() - 1, fixture.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public async Task Uuid1_FollowsTheTimeProvider()
    {
        var seconds = await fixture.EvaluateAsync<double>("__import__('uuid').uuid1().time / 1e7 - 12219292800");

        Assert.InRange(seconds, FaultyProvidersFixture.Now.ToUnixTimeSeconds() - 1, fixture.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
    }

    [Theory]
    [InlineData("__import__('time').strftime('%Y')")]
    [InlineData("str(__import__('time').localtime().tm_year)")]
    [InlineData("__import__('time').ctime()[-4:]")]
    [InlineData("__import__('time').asctime()[-4:]")]
    [InlineData("str(__import__('datetime').date.today().year)")]
    public async Task CalendarViews_AreInTheProvidersYear(string expression) =>
        Assert.Equal("2000", await fixture.EvaluateAsync<string>(expression));

    [Fact]
    public async Task MonotonicClocks_AdvanceWithTheProvider()
    {
        await fixture.ExecuteAsync("import time\nclock_start = (time.monotonic(), time.perf_counter(), time.monotonic_ns())");
        fixture.Clock.Advance(TimeSpan.FromSeconds(90));

        var elapsed = await fixture.EvaluateAsync<double[]>("[time.monotonic() - clock_start[0], time.perf_counter() - clock_start[1], (time.monotonic_ns() - clock_start[2]) / 1e9]");

        Assert.All(elapsed!, e => Assert.InRange(e, 89.9, 90.1));
    }

    [Fact]
    public async Task Sleep_WaitsOnTheProvider()
    {
        var sleeping = fixture.ExecuteAsync("import time\ntime.sleep(3600)");
        await Task.Delay(200);
        Assert.False(sleeping.IsCompleted);

        fixture.Clock.Advance(TimeSpan.FromHours(1));

        await sleeping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task FileTimestamps_FollowTheProvider()
    {
        await fixture.ExecuteAsync("import os\nwith open('/clock/stamped', 'w') as f:\n    f.write('x')\nfirst_stamp = os.stat('/clock/stamped').st_mtime");
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        await fixture.ExecuteAsync("with open('/clock/stamped', 'a') as f:\n    f.write('y')\nsecond_stamp = os.stat('/clock/stamped').st_mtime");

        var first = await fixture.EvaluateAsync<double>("first_stamp");
        var second = await fixture.EvaluateAsync<double>("second_stamp");

        Assert.InRange(first, FaultyProvidersFixture.Now.ToUnixTimeSeconds() - 1, fixture.Clock.GetUtcNow().ToUnixTimeSeconds());
        Assert.InRange(second - first, 599.9, 600.1);
    }
}
