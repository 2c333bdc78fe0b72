namespace PyHosting.Internal.Managed.TimeZones;

/// <summary>
/// A POSIX TZ string (<c>EST+05EDT,M3.2.0,M11.1.0</c>, <c>&lt;+03&gt;-3</c>, <c>CET-1CEST,M3.5.0,M10.5.0/3</c>) read as
/// glibc reads it, including what glibc makes of a string it cannot read: a standard name without an offset is that
/// name at UTC, an unreadable name is UTC without a name, a daylight name without rules takes the US rules
/// (<c>M3.2.0,M11.1.0</c>), a daylight offset left out is one hour ahead of standard time.
/// </summary>
internal sealed class PosixTimeZone : LocalZone
{
    private readonly ZonePeriod _standard;
    private readonly ZonePeriod _daylight;
    private readonly Rule? _start;
    private readonly Rule? _end;

    private PosixTimeZone(string name, ZonePeriod standard, ZonePeriod daylight, Rule? start, Rule? end)
    {
        Name = name;
        _standard = standard;
        _daylight = daylight;
        _start = start;
        _end = end;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>Gets the abbreviations of standard and daylight time (as C's <c>tzname</c> holds them).</summary>
    public (string Standard, string Daylight) Names => (_standard.Abbreviation, _daylight.Abbreviation);

    /// <summary>Reads a TZ string; never fails (see the class).</summary>
    public static PosixTimeZone Parse(string tz)
    {
        var p = 0;
        var none = new ZonePeriod(0, false, string.Empty);
        if (!ParseName(tz, ref p, out var stdName))
        {
            return new PosixTimeZone(tz, none, none, null, null);
        }

        if (!ParseOffset(tz, ref p, out var stdOffset))
        {
            return new PosixTimeZone(tz, none with { Abbreviation = stdName }, none, null, null);
        }

        var standard = new ZonePeriod(stdOffset, false, stdName);
        if (p >= tz.Length)
        {
            return new PosixTimeZone(tz, standard, standard, null, null);
        }

        if (!ParseName(tz, ref p, out var dstName))
        {
            return new PosixTimeZone(tz, standard, none, null, null);
        }

        var dstOffset = ParseOffset(tz, ref p, out var o) ? o : stdOffset + 3600;
        var daylight = new ZonePeriod(dstOffset, true, dstName);

        // No rule (or a lone comma): the US rules, which glibc applies by default.
        if (p >= tz.Length || (tz[p] == ',' && p + 1 == tz.Length))
        {
            return new PosixTimeZone(tz, standard, daylight, new Rule('M', 3, 2, 0, 7200), new Rule('M', 11, 1, 0, 7200));
        }

        return ParseRule(tz, ref p, out var start) && ParseRule(tz, ref p, out var end)
            ? new PosixTimeZone(tz, standard, daylight, start, end)
            : new PosixTimeZone(tz, standard, daylight, null, null);
    }

    /// <inheritdoc/>
    public override ZonePeriod At(long utcSeconds)
    {
        if (_start is not { } start || _end is not { } end)
        {
            return _standard;
        }

        // The year of the UTC time, as glibc takes it; each change is in the local time in force before it.
        var year = CivilFromDays(Math.DivRem(utcSeconds, SecondsPerDay, out var rest) - (rest < 0 ? 1 : 0)).Year;
        var starts = start.Change(year) - _standard.Offset;
        var ends = end.Change(year) - _daylight.Offset;
        var dst = starts > ends
            ? utcSeconds < ends || utcSeconds >= starts // southern hemisphere: daylight time spans the new year
            : utcSeconds >= starts && utcSeconds < ends;
        return dst ? _daylight : _standard;
    }

    private static bool ParseName(string s, ref int p, out string name)
    {
        name = string.Empty;
        var start = p;
        if (p < s.Length && s[p] == '<')
        {
            p++;
            start = p;
            while (p < s.Length && (char.IsAsciiLetterOrDigit(s[p]) || s[p] is '+' or '-'))
            {
                p++;
            }

            if (p >= s.Length || s[p] != '>' || p - start < 3)
            {
                return false;
            }

            name = s[start..p];
            p++;
            return true;
        }

        while (p < s.Length && char.IsAsciiLetter(s[p]))
        {
            p++;
        }

        if (p - start < 3)
        {
            return false;
        }

        name = s[start..p];
        return true;
    }

    /// <summary>[+-]hh[:mm[:ss]], west of UTC positive (so the offset east is its negation); each field capped as glibc caps it.</summary>
    private static bool ParseOffset(string s, ref int p, out int offset)
    {
        offset = 0;
        if (p >= s.Length || (s[p] != '+' && s[p] != '-' && !char.IsAsciiDigit(s[p])))
        {
            return false;
        }

        var sign = -1;
        if (s[p] is '+' or '-')
        {
            sign = s[p] == '-' ? 1 : -1;
            p++;
        }

        if (!ReadClock(s, ref p, out var h, out var m, out var sec))
        {
            return false;
        }

        offset = sign * ((int)Math.Min(h, 24) * 3600 + ((int)Math.Min(m, 59) * 60) + (int)Math.Min(sec, 59));
        return true;
    }

    /// <summary>hh[:mm[:ss]] (numbers of at most 5 digits, as glibc's <c>%hu</c> reads them).</summary>
    private static bool ReadClock(string s, ref int p, out long hours, out long minutes, out long seconds)
    {
        minutes = seconds = 0;
        if (!ReadNumber(s, ref p, out hours))
        {
            return false;
        }

        if (p + 1 < s.Length && s[p] == ':' && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            ReadNumber(s, ref p, out minutes);
            if (p + 1 < s.Length && s[p] == ':' && char.IsAsciiDigit(s[p + 1]))
            {
                p++;
                ReadNumber(s, ref p, out seconds);
            }
        }

        return true;
    }

    private static bool ReadNumber(string s, ref int p, out long value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            value = Math.Min((value * 10) + (s[p] - '0'), 65535);
            p++;
        }

        return p > start;
    }

    private static bool ParseRule(string s, ref int p, out Rule rule)
    {
        rule = default;
        if (p < s.Length && s[p] == ',')
        {
            p++;
        }

        char kind;
        long a, b = 0, c = 0;
        if (p < s.Length && s[p] == 'J' && p + 1 < s.Length && char.IsAsciiDigit(s[p + 1]))
        {
            p++;
            ReadNumber(s, ref p, out a);
            if (a is < 1 or > 365)
            {
                return false;
            }

            kind = 'J';
        }
        else if (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            ReadNumber(s, ref p, out a);
            if (a > 365)
            {
                return false;
            }

            kind = 'N';
        }
        else if (p < s.Length && s[p] == 'M')
        {
            p++;
            if (!ReadNumber(s, ref p, out a) || p >= s.Length || s[p++] != '.' || !ReadNumber(s, ref p, out b) || p >= s.Length || s[p++] != '.' || !ReadNumber(s, ref p, out c)
                || a is < 1 or > 12 || b is < 1 or > 5 || c > 6)
            {
                return false;
            }

            kind = 'M';
        }
        else
        {
            return false;
        }

        var time = 7200L;
        if (p < s.Length && s[p] == '/')
        {
            p++;
            var negative = p < s.Length && s[p] == '-';
            if (negative || (p < s.Length && s[p] == '+'))
            {
                p++;
            }

            if (!ReadClock(s, ref p, out var h, out var m, out var sec))
            {
                return false;
            }

            time = (negative ? -1 : 1) * ((h * 3600) + (m * 60) + sec);
        }

        if (p < s.Length && s[p] != ',')
        {
            return false;
        }

        rule = new Rule(kind, (int)a, (int)b, (int)c, time);
        return true;
    }

    /// <summary>One change of a POSIX rule: <c>Jn</c> (1-365, February 29 never counted), <c>n</c> (0-365), <c>Mm.w.d</c>; at a local time of day.</summary>
    private readonly record struct Rule(char Kind, int A, int B, int C, long Time)
    {
        /// <summary>The local seconds (as if UTC) at which the change happens in <paramref name="year"/>.</summary>
        public long Change(long year)
        {
            var jan1 = DaysFromCivil(year, 1, 1);
            long day;
            switch (Kind)
            {
                case 'J':
                    day = jan1 + A - 1 + (A >= 60 && IsLeap(year) ? 1 : 0);
                    break;
                case 'N':
                    day = jan1 + A;
                    break;
                default:
                    var first = DaysFromCivil(year, A, 1);
                    var length = DaysFromCivil(year, A + 1, 1) - first;
                    var firstWeekday = (int)(((first + 4) % 7 + 7) % 7); // Sunday = 0; 1970-01-01 was a Thursday
                    var d = (C - firstWeekday + 7) % 7;
                    for (var i = 1; i < B && d + 7 < length; i++)
                    {
                        d += 7;
                    }

                    day = first + d;
                    break;
            }

            return (day * SecondsPerDay) + Time;
        }
    }
}
