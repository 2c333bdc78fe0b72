using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Compatibility;

/// <summary>
/// zoneinfo and TZ under the strictest permissions: the host's time-zone database is readable at its own path, nothing
/// else is; a TZ value is never a way to a host file, and <c>time.tzset()</c> changes the runtime's zone only.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TimeZoneTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("Europe/Paris", "2024-07-01", "2:00:00")]
    [InlineData("Europe/Paris", "2024-01-01", "1:00:00")]
    [InlineData("America/New_York", "2024-01-01", "-1 day, 19:00:00")]
    [InlineData("UTC", "2024-01-01", "0:00:00")]
    public async Task ZoneInfo_ReadsTheHostsDatabase_WithoutIO(string key, string date, string offset)
    {
        var actual = await fixture.Runtime.EvaluateAsync<string>(
            $"str(__import__('datetime').datetime.fromisoformat('{date}T12:00').replace(tzinfo=__import__('zoneinfo').ZoneInfo('{key}')).utcoffset())");

        Assert.Equal(offset, actual);
    }

    [Fact]
    public async Task AvailableTimeZones_ListsTheDatabase()
    {
        var count = await fixture.Runtime.EvaluateAsync<long>("len(__import__('zoneinfo').available_timezones())");

        Assert.True(count > 300, $"only {count} time zones were listed");
    }

    /// <summary>TZ values that name a compiled zone (Asia/Tokyo, copied) outside the database: none is read, each is read as a POSIX string instead (UTC, with the leading letters as its name).</summary>
    [Theory]
    [InlineData("__OUTSIDE__/zone")]
    [InlineData(":__OUTSIDE__/zone")]
    [InlineData("/usr/share/zoneinfo/../../..__OUTSIDE__/zone")]
    [InlineData("../../..__OUTSIDE__/zone")]
    [InlineData("Asia/../../../..__OUTSIDE__/zone")]
    [InlineData("/data/zone")]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("/usr/share/zoneinfo/../zoneinfo/Asia/Tokyo")]
    public async Task Tzset_NeverReadsAFileOutsideTheDatabase(string tz)
    {
        var tokyo = "/usr/share/zoneinfo/Asia/Tokyo";
        File.Copy(tokyo, Path.Combine(fixture.Outside, "zone"), overwrite: true);
        File.Copy(tokyo, Path.Combine(fixture.Mount, "zone"), overwrite: true);
        var value = tz.Replace("__OUTSIDE__", fixture.Outside, StringComparison.Ordinal);

        var result = await RunWithTzAsync(value, "lt = time.localtime(0)\nresult = f'{lt.tm_gmtoff} {lt.tm_zone!r} {time.tzname}'");

        Assert.StartsWith("0 ", result, StringComparison.Ordinal);
        Assert.DoesNotContain("JST", result, StringComparison.Ordinal);
        if (value.Contains("..", StringComparison.Ordinal) || value.TrimStart(':').StartsWith('/'))
        {
            Assert.Contains(fixture.Logs, l => l.Contains("names a file outside the time-zone database", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Tzset_InsideTheDatabase_ReadsTheZone_AndLeavesTheHostsZoneAlone()
    {
        var before = (System.Environment.GetEnvironmentVariable("TZ"), NativeMethods.GetEnvironmentVariable("TZ"), NativeMethods.CurrentTimeZone(), TimeZoneInfo.Local.Id, TimeZoneInfo.Local.BaseUtcOffset);

        var result = await RunWithTzAsync("/usr/share/zoneinfo/Asia/Tokyo", "result = f'{time.localtime(0).tm_hour} {time.localtime(0).tm_zone} {time.timezone}'", keep: true);
        try
        {
            Assert.Equal("9 JST -32400", result);
            Assert.Equal(before, (System.Environment.GetEnvironmentVariable("TZ"), NativeMethods.GetEnvironmentVariable("TZ"), NativeMethods.CurrentTimeZone(), TimeZoneInfo.Local.Id, TimeZoneInfo.Local.BaseUtcOffset));

            // A thread of the runtime sees the runtime's zone.
            Assert.Equal("JST", await fixture.Runtime.EvaluateAsync<string>("time.localtime().tm_zone"));
        }
        finally
        {
            await fixture.Runtime.ExecuteAsync("import os, time\nos.environ.pop('TZ', None)\ntime.tzset()");
        }
    }

    /// <summary>Values no parser expects: each gives some zone, the runtime goes on, and the next TZ works.</summary>
    [Theory]
    [InlineData("'A' * 200000 + '5'", "-18000")]
    [InlineData("'<' * 100000", "0")]
    [InlineData("'EST5EDT,' + 'M3.2.0,' * 50000", null)]
    [InlineData("'EST5EDT,M13.9.9,J999/99999999999'", null)]
    [InlineData("'<+99>-999999999:99:99'", null)]
    [InlineData("'%n%s%x%p' * 1000", "0")]
    [InlineData("':'", "0")]
    [InlineData("'/usr/share/zoneinfo'", "0")]
    [InlineData("'/usr/share/zoneinfo/Asia'", "0")]
    [InlineData("'Europe/Paris/' + '../' * 1000 + 'etc/passwd'", "0")]
    [InlineData("'\\udcff\\udcfe5'", "0")]
    public async Task Tzset_SurvivesHostileValues(string valueExpression, string? offset)
    {
        var result = await fixture.Runtime.EvaluateAsync<List<object?>>($$"""
            (lambda os, time: (os.environ.__setitem__('TZ', {{valueExpression}}), time.tzset(), time.localtime(1700000000).tm_gmtoff,
                               time.strftime('%Z %z', time.localtime(1700000000)), os.environ.pop('TZ'), time.tzset(), time.localtime(0).tm_gmtoff)[2::4])(__import__('os'), __import__('time'))
            """);

        var gmtoff = Assert.IsType<long>(result![0]);
        Assert.InRange(gmtoff, -89999, 89999); // glibc caps an offset at 24:59:59
        if (offset is not null)
        {
            Assert.Equal(long.Parse(offset, System.Globalization.CultureInfo.InvariantCulture), gmtoff);
        }

        Assert.Equal((long)TimeZoneInfo.Local.GetUtcOffset(DateTimeOffset.UnixEpoch).TotalSeconds, result[1]); // TZ unset again: the provider's zone
    }

    [Fact]
    public async Task Tz_WithANulByte_IsRefusedOrReadUpToIt()
    {
        var result = await RunWithTzAsync("UTC", """
            try:
                os.environ['TZ'] = 'JST-9\x00../../etc/passwd'
            except ValueError:
                pass
            time.tzset()
            result = str(time.localtime(0).tm_gmtoff)
            """);

        Assert.Contains(result, new[] { "0", "32400" });
    }

    private async Task<string?> RunWithTzAsync(string tz, string body, bool keep = false)
    {
        var literal = "'" + tz.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
        await fixture.Runtime.ExecuteAsync($"import os, time\nos.environ['TZ'] = {literal}\ntime.tzset()\n{body}\n" + (keep ? string.Empty : "os.environ.pop('TZ', None)\ntime.tzset()\n"));
        return await fixture.Runtime.EvaluateAsync<string>("result");
    }
}
