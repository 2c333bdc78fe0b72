using System.Buffers.Binary;
using System.Text;

namespace PyHosting.Internal.Managed.TimeZones;

/// <summary>
/// A zone of the IANA database in its compiled form (TZif, RFC 8536, versions 1 to 4): its transitions, then the POSIX
/// TZ string of its footer for the times after the last one, as glibc reads such a file. Leap-second records are skipped.
/// </summary>
internal sealed class TzifZone : LocalZone
{
    private readonly long[] _transitions;
    private readonly byte[] _typeOfTransition;
    private readonly ZonePeriod[] _types;
    private readonly PosixTimeZone? _footer;
    private readonly ZonePeriod _beforeFirst;

    private TzifZone(string name, long[] transitions, byte[] typeOfTransition, ZonePeriod[] types, PosixTimeZone? footer)
    {
        Name = name;
        _transitions = transitions;
        _typeOfTransition = typeOfTransition;
        _types = types;
        _footer = footer;

        // Before the first transition glibc uses the first standard-time type.
        var standard = Array.FindIndex(types, t => !t.IsDst);
        _beforeFirst = types[standard < 0 ? 0 : standard];
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>Reads a TZif file's bytes; null when they are not one (or are damaged).</summary>
    public static TzifZone? Read(string name, ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadCore(name, data);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    private static TzifZone? ReadCore(string name, ReadOnlySpan<byte> data)
    {
        if (data.Length < 44 || !data[..4].SequenceEqual("TZif"u8))
        {
            return null;
        }

        var version = data[4];
        var (size, counts) = BlockSize(data, 4);
        if (version >= (byte)'2')
        {
            // The 64-bit block follows the 32-bit one and has its own header.
            var second = data[(44 + size)..];
            if (second.Length < 44 || !second[..4].SequenceEqual("TZif"u8))
            {
                return null;
            }

            var (size64, counts64) = BlockSize(second, 8);
            var zone = ReadBlock(second[44..], counts64, 8);
            var footerStart = 44 + size64;
            PosixTimeZone? footer = null;
            if (second.Length > footerStart + 1 && second[footerStart] == (byte)'\n')
            {
                var rest = second[(footerStart + 1)..];
                var end = rest.IndexOf((byte)'\n');
                if (end > 0)
                {
                    footer = PosixTimeZone.Parse(Encoding.ASCII.GetString(rest[..end]));
                }
            }

            return zone is null ? null : new TzifZone(name, zone.Value.Transitions, zone.Value.Types, zone.Value.Periods, footer);
        }

        var v1 = ReadBlock(data[44..], counts, 4);
        return v1 is null ? null : new TzifZone(name, v1.Value.Transitions, v1.Value.Types, v1.Value.Periods, null);
    }

    private static (int Size, int[] Counts) BlockSize(ReadOnlySpan<byte> header, int timeSize)
    {
        var counts = new int[6]; // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        for (var i = 0; i < 6; i++)
        {
            var c = BinaryPrimitives.ReadInt32BigEndian(header.Slice(20 + (4 * i), 4));
            counts[i] = c is >= 0 and <= 1 << 20 ? c : throw new ArgumentException("bad count");
        }

        var size = (counts[3] * timeSize) + counts[3] + (counts[4] * 6) + counts[5] + (counts[2] * (timeSize + 4)) + counts[1] + counts[0];
        return (size, counts);
    }

    private static (long[] Transitions, byte[] Types, ZonePeriod[] Periods)? ReadBlock(ReadOnlySpan<byte> block, int[] counts, int timeSize)
    {
        var timeCount = counts[3];
        var typeCount = counts[4];
        var charCount = counts[5];
        if (typeCount == 0)
        {
            return null;
        }

        var transitions = new long[timeCount];
        for (var i = 0; i < timeCount; i++)
        {
            transitions[i] = timeSize == 8
                ? BinaryPrimitives.ReadInt64BigEndian(block.Slice(i * 8, 8))
                : BinaryPrimitives.ReadInt32BigEndian(block.Slice(i * 4, 4));
        }

        var p = timeCount * timeSize;
        var typeOf = block.Slice(p, timeCount).ToArray();
        p += timeCount;
        var raw = new (int Offset, bool Dst, int Index)[typeCount];
        for (var i = 0; i < typeCount; i++)
        {
            raw[i] = (BinaryPrimitives.ReadInt32BigEndian(block.Slice(p, 4)), block[p + 4] != 0, block[p + 5]);
            p += 6;
        }

        var chars = block.Slice(p, charCount);
        var periods = new ZonePeriod[typeCount];
        for (var i = 0; i < typeCount; i++)
        {
            var from = Math.Min(raw[i].Index, charCount);
            var end = chars[from..].IndexOf((byte)0);
            var abbreviation = Encoding.ASCII.GetString(end < 0 ? chars[from..] : chars.Slice(from, end));
            periods[i] = new ZonePeriod(raw[i].Offset, raw[i].Dst, abbreviation);
        }

        foreach (var t in typeOf)
        {
            if (t >= typeCount)
            {
                return null;
            }
        }

        return (transitions, typeOf, periods);
    }

    /// <inheritdoc/>
    public override ZonePeriod At(long utcSeconds)
    {
        if (_transitions.Length == 0)
        {
            return _footer?.At(utcSeconds) ?? _types[0];
        }

        if (utcSeconds < _transitions[0])
        {
            return _beforeFirst;
        }

        if (utcSeconds >= _transitions[^1] && _footer is not null)
        {
            return _footer.At(utcSeconds);
        }

        var i = Array.BinarySearch(_transitions, utcSeconds);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return _types[_typeOfTransition[i]];
    }
}
