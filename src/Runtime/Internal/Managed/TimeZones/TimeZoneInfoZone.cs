namespace PyHosting.Internal.Managed.TimeZones;

/// <summary>
/// A .NET <see cref="TimeZoneInfo"/> (a <see cref="TimeProvider.LocalTimeZone"/> that is not in the IANA database, such
/// as a custom zone of a test): offsets and daylight flags from it; abbreviations from its names when they are short,
/// otherwise numeric as the database writes unnamed zones (<c>+0530</c>, <c>-03</c>).
/// </summary>
internal sealed class TimeZoneInfoZone : LocalZone
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds() + SecondsPerDay;
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - SecondsPerDay;
    private readonly TimeZoneInfo _zone;

    public TimeZoneInfoZone(TimeZoneInfo zone) => _zone = zone;

    /// <inheritdoc/>
    public override string Name => _zone.Id;

    /// <inheritdoc/>
    public override ZonePeriod At(long utcSeconds)
    {
        var instant = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(utcSeconds, MinSeconds, MaxSeconds));
        var offset = (int)_zone.GetUtcOffset(instant).TotalSeconds;
        var dst = _zone.IsDaylightSavingTime(instant);
        return new ZonePeriod(offset, dst, Abbreviate(dst ? _zone.DaylightName : _zone.StandardName, offset));
    }

    private static string Abbreviate(string name, int offset)
    {
        if (name.Length is >= 3 and <= 6 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-'))
        {
            return name;
        }

        if (offset == 0 && name.Contains("Universal", StringComparison.OrdinalIgnoreCase))
        {
            return "UTC";
        }

        var sign = offset < 0 ? '-' : '+';
        var a = Math.Abs(offset);
        var text = FormattableString.Invariant($"{sign}{a / 3600:00}");
        if (a % 3600 != 0)
        {
            text += FormattableString.Invariant($"{a / 60 % 60:00}");
            if (a % 60 != 0)
            {
                text += FormattableString.Invariant($"{a % 60:00}");
            }
        }

        return text;
    }
}
