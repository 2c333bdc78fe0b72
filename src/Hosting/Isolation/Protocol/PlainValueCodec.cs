using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using MessagePack;
using PyHosting.Internal;

namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>
/// Encodes the plain data that crosses between the host and a worker (arguments one way, results the other) in
/// MessagePack, keeping every .NET type the runtime distinguishes: integers of any size, floats, decimals, byte
/// arrays, dates and times, GUIDs, lists, sets and dictionaries. Records and classes are encoded as the dict of
/// members a runtime in the host passes to Python (System.Text.Json's view, snake_case names), and a value with no
/// Python counterpart is refused with the same <see cref="ArgumentException"/>. Decoding refuses anything malformed
/// with <see cref="MessagePackSerializationException"/>; the host treats that as a protocol violation.
/// </summary>
internal static class PlainValueCodec
{
    private const int MaxDepth = 66;

    private const sbyte BigIntegerTag = 1;
    private const sbyte DecimalTag = 2;
    private const sbyte GuidTag = 3;
    private const sbyte DateTimeTag = 4;
    private const sbyte DateTimeOffsetTag = 5;
    private const sbyte DateOnlyTag = 6;
    private const sbyte TimeOnlyTag = 7;
    private const sbyte TimeSpanTag = 8;
    private const sbyte SetTag = 9;

    /// <summary>Encodes values (arguments or one result).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The encoded values, as one MessagePack array.</returns>
    /// <exception cref="ArgumentException">A value has no Python counterpart.</exception>
    public static byte[] EncodeList(IReadOnlyList<object?> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(values.Count);
        foreach (var value in values)
        {
            Write(ref writer, value, 0);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes keyword arguments.</summary>
    /// <param name="values">The arguments by name.</param>
    /// <returns>The encoded map.</returns>
    public static byte[] EncodeMap(IReadOnlyDictionary<string, object?> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(values.Count);
        foreach (var (key, value) in values)
        {
            writer.Write(key);
            Write(ref writer, value, 0);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes what <see cref="EncodeList"/> encoded.</summary>
    /// <param name="data">The encoded values.</param>
    /// <returns>The values.</returns>
    public static object?[] DecodeList(ReadOnlyMemory<byte> data)
    {
        var reader = new MessagePackReader(data);
        var count = reader.ReadArrayHeader();
        var values = new object?[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = Read(ref reader, 0);
        }

        EnsureEnd(ref reader);
        return values;
    }

    /// <summary>Decodes what <see cref="EncodeMap"/> encoded.</summary>
    /// <param name="data">The encoded map.</param>
    /// <returns>The values by name.</returns>
    public static Dictionary<string, object?> DecodeMap(ReadOnlyMemory<byte> data)
    {
        var reader = new MessagePackReader(data);
        var count = reader.ReadMapHeader();
        var values = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString() ?? throw new MessagePackSerializationException("A keyword is nil.");
            values[key] = Read(ref reader, 0);
        }

        EnsureEnd(ref reader);
        return values;
    }

    private static void EnsureEnd(ref MessagePackReader reader)
    {
        if (!reader.End)
        {
            throw new MessagePackSerializationException("Trailing bytes after the encoded values.");
        }
    }

    private static void Write(ref MessagePackWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException("The value is nested too deeply to be passed to Python.");
        }

        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool b:
                writer.Write(b);
                break;
            case string s:
                writer.Write(s);
                break;
            case char c:
                writer.Write(c.ToString());
                break;
            case byte[] bytes:
                writer.Write(bytes);
                break;
            case ReadOnlyMemory<byte> rom:
                writer.Write(rom.Span);
                break;
            case sbyte or short or int or long or byte or ushort or uint or nint:
                writer.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                writer.Write(ul);
                break;
            case Enum e:
                if (Convert.GetTypeCode(e) is TypeCode.UInt64)
                {
                    writer.Write(Convert.ToUInt64(e, CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.Write(Convert.ToInt64(e, CultureInfo.InvariantCulture));
                }

                break;
            case float or double or Half:
                writer.Write(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case BigInteger big when big >= long.MinValue && big <= long.MaxValue:
                writer.Write((long)big);
                break;
            case BigInteger or Int128 or UInt128 or nuint:
                WriteText(ref writer, BigIntegerTag, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case decimal d:
                WriteText(ref writer, DecimalTag, d.ToString(CultureInfo.InvariantCulture));
                break;
            case Guid g:
                WriteText(ref writer, GuidTag, g.ToString("D"));
                break;
            case DateTime dt when dt.Kind == DateTimeKind.Local:
                // The offset is the host's, as a runtime in the host would use: a confined worker may not know the host's time zone.
                WriteTicks(ref writer, DateTimeOffsetTag, dt.Ticks, (long)TimeZoneInfo.Local.GetUtcOffset(dt).TotalMinutes);
                break;
            case DateTime dt:
                WriteTicks(ref writer, DateTimeTag, dt.Ticks, (long)dt.Kind);
                break;
            case DateTimeOffset dto:
                WriteTicks(ref writer, DateTimeOffsetTag, dto.DateTime.Ticks, (long)dto.Offset.TotalMinutes);
                break;
            case DateOnly date:
                WriteTicks(ref writer, DateOnlyTag, date.DayNumber, 0);
                break;
            case TimeOnly time:
                WriteTicks(ref writer, TimeOnlyTag, time.Ticks, 0);
                break;
            case TimeSpan span:
                WriteTicks(ref writer, TimeSpanTag, span.Ticks, 0);
                break;
            case IDictionary dictionary:
                {
                    var entries = new List<DictionaryEntry>();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        entries.Add(entry);
                    }

                    writer.WriteMapHeader(entries.Count);
                    foreach (var entry in entries)
                    {
                        Write(ref writer, entry.Key, depth + 1);
                        Write(ref writer, entry.Value, depth + 1);
                    }

                    break;
                }

            case IEnumerable sequence:
                {
                    var items = new List<object?>();
                    foreach (var item in sequence)
                    {
                        items.Add(item);
                    }

                    if (ValueConverter.IsSet(sequence.GetType()))
                    {
                        var inner = EncodeNested(items, depth);
                        writer.WriteExtensionFormat(new ExtensionResult(SetTag, inner));
                        break;
                    }

                    writer.WriteArrayHeader(items.Count);
                    foreach (var item in items)
                    {
                        Write(ref writer, item, depth + 1);
                    }

                    break;
                }

            default:
                WriteMembers(ref writer, value, depth);
                break;
        }
    }

    private static byte[] EncodeNested(List<object?> items, int depth)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var inner = new MessagePackWriter(buffer);
        inner.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            Write(ref inner, item, depth + 1);
        }

        inner.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteText(ref MessagePackWriter writer, sbyte tag, string text)
        => writer.WriteExtensionFormat(new ExtensionResult(tag, System.Text.Encoding.UTF8.GetBytes(text)));

    private static void WriteTicks(ref MessagePackWriter writer, sbyte tag, long first, long second)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), first);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), second);
        writer.WriteExtensionFormat(new ExtensionResult(tag, bytes));
    }

    /// <summary>A record or class crosses as a dict of the members System.Text.Json would serialise, as in the host.</summary>
    private static void WriteMembers(ref MessagePackWriter writer, object value, int depth)
    {
        var info = ValueConverter.ObjectContract(value.GetType());
        var members = info.Properties.Where(static p => p.Get is not null).ToList();
        writer.WriteMapHeader(members.Count);
        foreach (var property in members)
        {
            writer.Write(property.Name);
            Write(ref writer, property.Get!(value), depth + 1);
        }
    }

    private static object? Read(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new MessagePackSerializationException("The encoded value is nested too deeply.");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 ? ReadUnsigned(ref reader) : reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes()?.ToArray();
            case MessagePackType.Array:
                {
                    var count = reader.ReadArrayHeader();
                    var list = new List<object?>(Math.Min(count, 1024));
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(Read(ref reader, depth + 1));
                    }

                    return list;
                }

            case MessagePackType.Map:
                return ReadMap(ref reader, depth);
            case MessagePackType.Extension:
                return ReadExtension(ref reader, depth);
            default:
                throw new MessagePackSerializationException($"Unexpected {reader.NextMessagePackType} in an encoded value.");
        }
    }

    private static object ReadUnsigned(ref MessagePackReader reader)
    {
        var value = reader.ReadUInt64();
        return value <= long.MaxValue ? (object)(long)value : value;
    }

    private static object ReadMap(ref MessagePackReader reader, int depth)
    {
        var count = reader.ReadMapHeader();
        var byString = new Dictionary<string, object?>(StringComparer.Ordinal);
        Dictionary<object, object?>? byKey = null;
        for (var i = 0; i < count; i++)
        {
            var key = Read(ref reader, depth + 1) ?? throw new MessagePackSerializationException("A dictionary key is nil.");
            var value = Read(ref reader, depth + 1);
            if (byKey is null && key is string s)
            {
                byString[s] = value;
                continue;
            }

            byKey ??= byString.ToDictionary(static p => (object)p.Key, static p => p.Value);
            byKey[key] = value;
        }

        return byKey is null ? byString : byKey;
    }

    private static object ReadExtension(ref MessagePackReader reader, int depth)
    {
        var header = reader.ReadExtensionFormatHeader();
        var data = reader.ReadRaw(header.Length);
        var bytes = data.ToArray();
        switch (header.TypeCode)
        {
            case BigIntegerTag:
                return ParseOrThrow(bytes, static s => BigInteger.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            case DecimalTag:
                return ParseOrThrow(bytes, static s => decimal.Parse(s, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture));
            case GuidTag:
                return ParseOrThrow(bytes, static s => Guid.ParseExact(s, "D"));
            case SetTag:
                {
                    var inner = new MessagePackReader(bytes);
                    if (Read(ref inner, depth + 1) is not List<object?> items || !inner.End)
                    {
                        throw new MessagePackSerializationException("A set is not an array.");
                    }

                    return new HashSet<object?>(items);
                }

            default:
                return ReadTicks(header.TypeCode, bytes);
        }
    }

    private static object ReadTicks(sbyte tag, byte[] bytes)
    {
        if (bytes.Length != 16)
        {
            throw new MessagePackSerializationException($"Extension {tag} has {bytes.Length} bytes.");
        }

        var first = BitConverter.ToInt64(bytes, 0);
        var second = BitConverter.ToInt64(bytes, 8);
        try
        {
            return tag switch
            {
                DateTimeTag => new DateTime(first, (DateTimeKind)second),
                DateTimeOffsetTag => new DateTimeOffset(first, TimeSpan.FromMinutes(second)),
                DateOnlyTag => DateOnly.FromDayNumber(checked((int)first)),
                TimeOnlyTag => new TimeOnly(first),
                TimeSpanTag => new TimeSpan(first),
                _ => throw new MessagePackSerializationException($"Unknown extension {tag}."),
            };
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new MessagePackSerializationException($"Extension {tag} holds an invalid value.", e);
        }
    }

    private static object ParseOrThrow(byte[] bytes, Func<string, object> parse)
    {
        try
        {
            return parse(System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (FormatException e)
        {
            throw new MessagePackSerializationException("An extension holds an invalid value.", e);
        }
    }
}
