using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// Local time in the Managed backend is the runtime's own: the zone of its TimeProvider (here a FakeTimeProvider whose
/// zone a test sets), or TZ of its environment after <c>time.tzset()</c>; never the host process's zone.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class LocalTimeZoneTests(ManagedRuntimeFixture fixture)
{
    /// <summary>US Eastern rules with names of its own: in 2031 daylight time runs from March 9, 07:00 UTC to November 2, 06:00 UTC.</summary>
    private static readonly TimeZoneInfo TestEastern = TimeZoneInfo.CreateCustomTimeZone(
        "Test/Eastern",
        TimeSpan.FromHours(-5),
        "Test Eastern",
        "TST",
        "TDT",
        [
            TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                new DateTime(2000, 1, 1),
                new DateTime(2099, 12, 31),
                TimeSpan.FromHours(1),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 2, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 11, 1, DayOfWeek.Sunday)),
        ]);

    private static long Unix(int year, int month, int day, int hour, int minute, int second)
        => new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public async Task LocalTime_FollowsTheProvidersZone_AroundDaylightTransitions()
    {
        long[] instants = [Unix(2031, 3, 9, 6, 59, 59), Unix(2031, 3, 9, 7, 0, 0), Unix(2031, 11, 2, 5, 30, 0), Unix(2031, 11, 2, 6, 30, 0)];
        var result = await WithProviderZoneAsync<List<object?>>(TestEastern, $$"""
            import time, datetime
            time.tzset()
            rows = []
            for t in {{string.Join(", ", instants)}},:
                lt = time.localtime(t)
                d = datetime.datetime.fromtimestamp(t)
                rows.append(f"{time.strftime('%H:%M:%S %Z %z', lt)} dst={lt.tm_isdst} off={lt.tm_gmtoff} fold={d.fold} "
                            f"ts={d.timestamp() == t} mk={time.mktime(lt) == t} {datetime.datetime.fromtimestamp(t, datetime.timezone.utc).astimezone()}")
            rows.append(f"{time.timezone} {time.altzone} {time.daylight} {time.tzname}")
            return rows
            """);

        Assert.Equal(
            [
                "01:59:59 TST -0500 dst=0 off=-18000 fold=0 ts=True mk=True 2031-03-09 01:59:59-05:00",
                "03:00:00 TDT -0400 dst=1 off=-14400 fold=0 ts=True mk=True 2031-03-09 03:00:00-04:00",
                "01:30:00 TDT -0400 dst=1 off=-14400 fold=0 ts=True mk=True 2031-11-02 01:30:00-04:00",
                "01:30:00 TST -0500 dst=0 off=-18000 fold=1 ts=True mk=True 2031-11-02 01:30:00-05:00",
                "18000 14400 1 ('TST', 'TDT')",
            ],
            result);
    }

    [Fact]
    public async Task LocalTime_OfAZoneOfTheDatabase_HasItsAbbreviations()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var result = await WithProviderZoneAsync<List<object?>>(paris, $$"""
            import time, datetime
            return [time.strftime('%Y-%m-%d %H:%M %Z', time.localtime({{Unix(2031, 1, 15, 12, 0, 0)}})),
                    time.strftime('%Y-%m-%d %H:%M %Z', time.localtime({{Unix(2031, 7, 15, 12, 0, 0)}})),
                    datetime.datetime.now().astimezone().tzname(), str(datetime.datetime.now().astimezone().utcoffset())]
            """);

        // The fixture's clock reads 2031-05-06 12:00 UTC (or later): summer time in Paris.
        Assert.Equal(["2031-01-15 13:00 CET", "2031-07-15 14:00 CEST", "CEST", "2:00:00"], result);
    }

    [Fact]
    public async Task NowAndToday_AreTheProvidersTimeInTheProvidersZone()
    {
        var now = fixture.Clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, TestEastern);
        var result = await WithProviderZoneAsync<List<object?>>(TestEastern, """
            import datetime, time
            return [datetime.datetime.now().isoformat(), datetime.date.today().isoformat(), time.ctime(), time.asctime(), time.strftime('%Y-%m-%d %H:%M:%S %Z')]
            """);

        Assert.Equal(local.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), ((string)result![0]!)[..19]);
        Assert.Equal(local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), result[1]);
        Assert.Equal(result[2], result[3]);
        Assert.Contains(local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), (string)result[2]!, StringComparison.Ordinal);
        Assert.Equal(local.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + (TestEastern.IsDaylightSavingTime(now) ? " TDT" : " TST"), result[4]);
    }

    /// <summary>Expected values are what CPython prints on Linux with the same TZ.</summary>
    [Theory]
    [InlineData("EST+05EDT,M3.2.0,M11.1.0", 1699162200, "2023-11-05 01:30:00 EDT -0400 0 EDT True True")]
    [InlineData("EST+05EDT,M3.2.0,M11.1.0", 1699165800, "2023-11-05 01:30:00 EST -0500 1 EST True True")]
    [InlineData("Europe/Paris", 1700000000, "2023-11-14 23:13:20 CET +0100 0 CET True True")]
    [InlineData(":Europe/Paris", 1690000000, "2023-07-22 06:26:40 CEST +0200 0 CEST True True")]
    [InlineData("AEST-10AEDT-11,M10.5.0,M3.5.0", 1700000000, "2023-11-15 09:13:20 AEDT +1100 0 AEDT True True")]
    [InlineData("<+03>-3", 1700000000, "2023-11-15 01:13:20 +03 +0300 0 +03 True True")]
    [InlineData("", 1700000000, "2023-11-14 22:13:20 UTC +0000 0 UTC True True")]
    [InlineData("Australia/Lord_Howe", 1400000000, "2014-05-14 03:23:20 +1030 +1030 0 +1030 True True")]
    [InlineData("Asia/Kolkata", 1700000000, "2023-11-15 03:43:20 IST +0530 0 IST True True")]
    [InlineData("garbage", 1700000000, "2023-11-14 22:13:20 garbage +0000 0 garbage True True")]
    public async Task Tzset_ReadsTzOfTheRuntimesEnvironment_AsLinuxDoes(string tz, long instant, string expected)
    {
        var result = await WithTzAsync<string>(tz, $$"""
            lt = time.localtime({{instant}})
            d = datetime.datetime.fromtimestamp({{instant}})
            return f"{time.strftime('%Y-%m-%d %H:%M:%S %Z %z', lt)} {d.fold} {d.astimezone().tzname()} {time.mktime(lt) == {{instant}}} {d.timestamp() == {{instant}}}"
            """);

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task Tzset_SetsTheModulesZoneAttributes_AndUnsettingTzReturnsToTheProvider()
    {
        var result = await WithProviderZoneAsync<List<object?>>(TestEastern, """
            import os, time
            rows = []
            for tz in ('EST+05EDT,M4.1.0,M10.5.0', 'AEST-10AEDT-11,M10.5.0,M3.5.0', 'UTC+0'):
                os.environ['TZ'] = tz
                time.tzset()
                rows.append(f"{time.timezone} {time.altzone} {time.daylight} {time.tzname}")
            del os.environ['TZ']
            time.tzset()
            rows.append(f"{time.timezone} {time.altzone} {time.daylight} {time.tzname}")
            return rows
            """);

        Assert.Equal(
            ["18000 14400 1 ('EST', 'EDT')", "-36000 -39600 1 ('AEST', 'AEDT')", "0 0 0 ('UTC', 'UTC')", "18000 14400 1 ('TST', 'TDT')"],
            result);
    }

    [Fact]
    public async Task Mktime_FollowsGlibc_InGapsFoldsAndContradictingHints()
    {
        // 2023-03-12 02:30 does not exist in New York, 2023-11-05 01:30 exists twice; values printed by CPython on Linux.
        var result = await WithTzAsync<List<object?>>("America/New_York", """
            return [time.mktime(t + (0, 0, dst)) for t in ((2023, 3, 12, 2, 30, 0), (2023, 11, 5, 1, 30, 0), (2023, 1, 10, 12, 0, 0)) for dst in (-1, 0, 1)]
            """);

        Assert.Equal(
            [1678606200.0, 1678606200.0, 1678602600.0, 1699162200.0, 1699165800.0, 1699162200.0, 1673370000.0, 1673370000.0, 1673366400.0],
            result);
    }

    [Fact]
    public async Task Astimezone_AndEmailLocaltime_UseTheRuntimesZone()
    {
        var result = await WithTzAsync<List<object?>>("EST+05EDT,M3.2.0,M11.1.0", """
            import email.utils
            naive = datetime.datetime(2030, 7, 1, 12, 0)
            utc = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
            return [str(naive.astimezone()), naive.astimezone().tzname(), str(utc.astimezone()), str(naive.astimezone(datetime.timezone.utc)),
                    str(email.utils.localtime(naive)), email.utils.localtime(naive).tzname(), email.utils.formatdate(naive.timestamp(), localtime=True)]
            """);

        Assert.Equal(
            ["2030-07-01 12:00:00-04:00", "EDT", "2030-01-01 07:00:00-05:00", "2030-07-01 16:00:00+00:00", "2030-07-01 12:00:00-04:00", "EDT", "Mon, 01 Jul 2030 12:00:00 -0400"],
            result);
    }

    [Fact]
    public async Task ClockSettime_IsRefusedAsForAProcessWithoutTheCapability()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import errno, time
            out = []
            for clock in (time.CLOCK_REALTIME, time.CLOCK_MONOTONIC):
                for f, v in ((time.clock_settime, 0.0), (time.clock_settime_ns, 0)):
                    try:
                        f(clock, v)
                    except OSError as e:
                        out.append(f"{type(e).__name__} {errno.errorcode[e.errno]}")
            return out
            """);

        Assert.Equal(["PermissionError EPERM", "PermissionError EPERM", "OSError EINVAL", "OSError EINVAL"], result);
        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeSeconds(), await fixture.Runtime.EvaluateAsync<long>("int(__import__('time').time())"));
    }

    private async Task<T?> WithProviderZoneAsync<T>(TimeZoneInfo zone, string body)
    {
        var before = fixture.Clock.LocalTimeZone;
        fixture.Clock.SetLocalTimeZone(zone);
        try
        {
            return await fixture.RunAsync<T>(body);
        }
        finally
        {
            fixture.Clock.SetLocalTimeZone(before);
            await fixture.Runtime.ExecuteAsync("import time\ntime.tzset()");
        }
    }

    /// <summary>Runs <paramref name="body"/> with TZ set in the runtime's environment (and unset afterwards); <c>time</c> and <c>datetime</c> are imported.</summary>
    private Task<T?> WithTzAsync<T>(string tz, string body) => fixture.RunAsync<T>($$"""
        import os, time, datetime
        os.environ['TZ'] = {{PythonString(tz)}}
        time.tzset()
        try:
        {{string.Join('\n', body.Split('\n').Select(l => "    " + l))}}
        finally:
            del os.environ['TZ']
            time.tzset()
        """);

    private static string PythonString(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
