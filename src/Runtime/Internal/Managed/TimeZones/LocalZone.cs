namespace PyHosting.Internal.Managed.TimeZones;

/// <summary>What a zone says about one instant: the offset east of UTC in seconds, whether it is daylight time, the abbreviation.</summary>
internal readonly record struct ZonePeriod(int Offset, bool IsDst, string Abbreviation);

/// <summary>A broken-down local time, as C's <c>struct tm</c> holds it (year in full, month 1-12, Monday = 0, day of year 1-366).</summary>
internal readonly record struct LocalTime(long Year, int Month, int Day, int Hour, int Minute, int Second, int Weekday, int YearDay, ZonePeriod Period);

/// <summary>
/// A time zone as the C library sees one: for every UTC second, an offset, a daylight flag and an abbreviation.
/// The conversions a runtime needs (<c>localtime</c>, <c>mktime</c>, the fold of a local time) are built on that one question.
/// </summary>
internal abstract class LocalZone
{
    public const int SecondsPerDay = 86400;

    /// <summary>Gets a name for logs: the TZ value or the zone's id.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the zone says at <paramref name="utcSeconds"/> (seconds since the Unix epoch).</summary>
    public abstract ZonePeriod At(long utcSeconds);

    /// <summary>Breaks <paramref name="utcSeconds"/> down in this zone, as <c>localtime_r</c> does.</summary>
    public LocalTime Local(long utcSeconds)
    {
        var period = At(utcSeconds);
        return Break(utcSeconds + period.Offset, period);
    }

    /// <summary>Gets the local seconds (UTC seconds plus the offset) of <paramref name="utcSeconds"/>.</summary>
    public long LocalSeconds(long utcSeconds) => utcSeconds + At(utcSeconds).Offset;

    /// <summary>Breaks down seconds that are already local (a UTC time with <paramref name="period"/>'s offset added).</summary>
    public static LocalTime Break(long localSeconds, ZonePeriod period)
    {
        var days = Math.DivRem(localSeconds, SecondsPerDay, out var rest);
        if (rest < 0)
        {
            rest += SecondsPerDay;
            days--;
        }

        var (year, month, day) = CivilFromDays(days);
        var weekday = (int)(((days + 3) % 7 + 7) % 7); // 1970-01-01 was a Thursday
        var yearDay = (int)(days - DaysFromCivil(year, 1, 1)) + 1;
        return new LocalTime(year, month, day, (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60), weekday, yearDay, period);
    }

    /// <summary>
    /// <c>mktime</c> as glibc answers it: a local time (fields may be out of range, they are normalised) and a daylight
    /// hint (-1: find out; 0 or 1: the caller's claim) to UTC seconds. A time in a gap is read with the offset before the
    /// gap; an ambiguous time with the hint's offset, the first one when there is no hint; a hint the zone contradicts
    /// takes the offset of the nearest period that agrees with it (or one hour, when none is near).
    /// </summary>
    public long ToUtc(long localSeconds, int isDst)
    {
        // The offsets in force around that time: a day before and after covers every transition of the database.
        var candidates = new List<(long Utc, ZonePeriod Period)>(3);
        foreach (var probe in (ReadOnlySpan<long>)[localSeconds - (2 * SecondsPerDay), localSeconds, localSeconds + (2 * SecondsPerDay)])
        {
            var offset = At(probe).Offset;
            var utc = localSeconds - offset;
            var period = At(utc);
            if (period.Offset == offset && !candidates.Exists(c => c.Utc == utc))
            {
                candidates.Add((utc, period));
            }
        }

        candidates.Sort((a, b) => a.Utc.CompareTo(b.Utc));
        if (candidates.Count == 0)
        {
            // A gap: read with the offset before it, or the one after it when the hint asks for that side's flag.
            var before = At(localSeconds - (2 * SecondsPerDay));
            var after = At(localSeconds + (2 * SecondsPerDay));
            var side = isDst >= 0 && after.IsDst == (isDst > 0) && before.IsDst != (isDst > 0) ? after : before;
            return localSeconds - side.Offset;
        }

        // Ambiguous: the hint's side, or daylight time (the first occurrence) without a hint.
        var index = candidates.FindIndex(c => c.Period.IsDst == (isDst != 0));
        var (result, found) = candidates[index < 0 ? 0 : index];
        if (isDst < 0 || found.IsDst == (isDst > 0))
        {
            return result;
        }

        // The hint disagrees with the zone: take the offset of the nearest time whose daylight flag agrees (glibc looks
        // about 17 years either way, a week at a time), or assume daylight time is one hour ahead.
        const long Stride = 601200;
        const long Bound = 536454000;
        for (var delta = Stride; delta < Bound; delta += Stride)
        {
            foreach (var other in (ReadOnlySpan<long>)[result - delta, result + delta])
            {
                var period = At(other);
                if (period.IsDst == (isDst > 0))
                {
                    return localSeconds - period.Offset;
                }
            }
        }

        return result + (3600 * ((isDst == 0 ? 1 : 0) - (found.IsDst ? 0 : 1)));
    }

    /// <summary>
    /// Whether <paramref name="utcSeconds"/> is the second occurrence of its local time (a fold), found as CPython's
    /// <c>datetime</c> finds it: probing the local time a day earlier.
    /// </summary>
    public bool IsFold(long utcSeconds)
    {
        const long MaxFold = SecondsPerDay;
        var local = LocalSeconds(utcSeconds);
        var probe = LocalSeconds(utcSeconds - MaxFold);
        var transition = local - probe - MaxFold;
        return transition < 0 && LocalSeconds(utcSeconds + transition) == local;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (month and day may be out of range: they carry).</summary>
    public static long DaysFromCivil(long year, long month, long day)
    {
        // Carry the month into the year first, then the days are simply added.
        year += Math.DivRem(month - 1, 12, out var m0);
        if (m0 < 0)
        {
            m0 += 12;
            year--;
        }

        var m = m0 + 1;
        var y = m <= 2 ? year - 1 : year;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - (era * 400);
        var doy = ((153 * (m > 2 ? m - 3 : m + 9)) + 2) / 5;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146097) + doe - 719468 + (day - 1);
    }

    /// <summary>The proleptic Gregorian date of a day number (days since 1970-01-01).</summary>
    public static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        days += 719468;
        var era = (days >= 0 ? days : days - 146096) / 146097;
        var doe = days - (era * 146097);
        var yoe = (doe - (doe / 1460) + (doe / 36524) - (doe / 146096)) / 365;
        var y = yoe + (era * 400);
        var doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        var mp = ((5 * doy) + 2) / 153;
        var d = (int)(doy - (((153 * mp) + 2) / 5) + 1);
        var m = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (m <= 2 ? y + 1 : y, m, d);
    }

    public static bool IsLeap(long year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}
