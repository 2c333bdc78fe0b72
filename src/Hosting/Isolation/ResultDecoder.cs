using System.Numerics;
using System.Text.Json;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Internal.Conversion;

namespace PyHosting.Hosting.Isolation;

/// <summary>Turns a result encoded by a worker into the type the caller asked for.</summary>
internal static class ResultDecoder
{
    /// <summary>Decodes a result of <see cref="TransferTypes"/> index <paramref name="typeIndex"/>.</summary>
    /// <typeparam name="T">The caller's result type.</typeparam>
    /// <param name="payload">The encoded result.</param>
    /// <param name="typeIndex">The index the host sent with the call.</param>
    /// <param name="json">The runtime's contracts for results bound from JSON (<see cref="ConversionJson.For"/>).</param>
    /// <returns>The result.</returns>
    public static T? Decode<T>(byte[] payload, int typeIndex, JsonSerializerOptions json)
    {
        if (typeIndex == TransferTypes.None)
        {
            return default;
        }

        if (typeIndex == TransferTypes.Json)
        {
            return FromJson<T>(payload, json);
        }

        var values = PlainValueCodec.DecodeList(payload);
        if (values.Length != 1)
        {
            throw new ChannelProtocolException("A result frame does not hold exactly one value.");
        }

        return (T?)Coerce(values[0], typeof(T));
    }

    private static T? FromJson<T>(byte[] payload, JsonSerializerOptions json)
    {
        // The worker's runtime asked for a nullable JsonElement: None is no payload.
        if (payload.Length == 0)
        {
            var target = typeof(T);
            return !target.IsValueType || Nullable.GetUnderlyingType(target) is not null
                ? default
                : throw new InvalidCastException($"Python None cannot be converted to {TypeNames.Readable(target)}: ask for {TypeNames.Readable(target)}? or a reference type.");
        }

        try
        {
            return ConversionJson.Deserialize<T>(payload, json);
        }
        catch (JsonException e)
        {
            throw new InvalidCastException($"A Python value cannot be converted to {TypeNames.Readable(typeof(T))}: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidCastException($"A Python value cannot be converted to {TypeNames.Readable(typeof(T))}: {e.Message}", e);
        }
    }

    /// <summary>The worker converted the value to the caller's type already; only the encoding's widening is undone.</summary>
    private static object? Coerce(object? value, Type target)
    {
        if (value is null)
        {
            return null;
        }

        var type = Nullable.GetUnderlyingType(target) ?? target;
        if (type == typeof(object) || type.IsInstanceOfType(value))
        {
            return value;
        }

        return value switch
        {
            List<object?> list when type == typeof(object[]) => list.ToArray(),
            string s when type == typeof(char) && s.Length == 1 => s[0],
            double d when type == typeof(float) => (float)d,
            double d when type == typeof(Half) => (Half)d,
            long or ulong or BigInteger => Integer(value, type),
            _ => throw new ChannelProtocolException($"A result of type {value.GetType().Name} does not match the requested {TypeNames.Readable(target)}."),
        };
    }

    private static object Integer(object value, Type type)
    {
        var big = value switch
        {
            long l => l,
            ulong u => u,
            _ => (BigInteger)value,
        };
        try
        {
            return type == typeof(int) ? (int)big
                : type == typeof(long) ? (long)big
                : type == typeof(short) ? (short)big
                : type == typeof(sbyte) ? (sbyte)big
                : type == typeof(byte) ? (byte)big
                : type == typeof(ushort) ? (ushort)big
                : type == typeof(uint) ? (uint)big
                : type == typeof(ulong) ? (ulong)big
                : type == typeof(nint) ? (nint)(long)big
                : type == typeof(nuint) ? (nuint)(ulong)big
                : type == typeof(Int128) ? (Int128)big
                : type == typeof(UInt128) ? (UInt128)big
                : type == typeof(BigInteger) ? (object)big
                : throw new ChannelProtocolException($"An integer result does not match the requested {TypeNames.Readable(type)}.");
        }
        catch (OverflowException e)
        {
            throw new ChannelProtocolException($"An integer result is out of the range of {TypeNames.Readable(type)}.", e);
        }
    }
}
