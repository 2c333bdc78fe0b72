using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// Converts a Python result to the .NET type a caller asked for, strictly: <c>None</c> only to nullable and
/// reference types, integers only to integer types whose range holds them, no rounding of floats to integers,
/// no parsing of strings. Scalars are read directly; collections, dictionaries, records and classes are bound
/// by System.Text.Json from an exact JSON image of the value (<see cref="PythonJsonWriter"/>). Every failure is
/// an <see cref="InvalidCastException"/> naming the Python type and the .NET type. Requires the GIL.
/// </summary>
internal static unsafe class ResultConverter
{
    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;
    #pragma warning restore IDE1006

    /// <summary>Converts a Python object (borrowed) to <typeparamref name="T"/>.</summary>
    /// <param name="o">The object.</param>
    /// <param name="resolver">The application's contracts (<see cref="PythonRuntimeOptions.TypeInfoResolver"/>), for types bound through JSON.</param>
    public static T? Convert<T>(nint o, IJsonTypeInfoResolver? resolver = null)
    {
        var target = typeof(T);
        if (target == typeof(object))
        {
            return (T?)ValueConverter.ToClr(o);
        }

        var underlying = Nullable.GetUnderlyingType(target);
        if (o == LibPython.None)
        {
            return !target.IsValueType || underlying is not null
                ? default
                : throw new InvalidCastException($"Python None cannot be converted to {TypeNames.Readable(target)}: ask for {TypeNames.Readable(target)}? or a reference type.");
        }

        var valueType = underlying ?? target;
        if (TryConvertScalar(o, valueType, out var scalar))
        {
            return (T)scalar;
        }

        if (PlainDataShapes.Contains(target))
        {
            var plain = ValueConverter.ToClr(o);
            if (target == typeof(object[]) && plain is List<object?> items)
            {
                plain = items.ToArray();
            }

            return plain is T typed
                ? typed
                : throw new InvalidCastException($"A Python {Py.TypeName(o)} cannot be converted to {TypeNames.Readable(target)}{(plain is Dictionary<object, object?> ? ": its keys are not all str" : string.Empty)}.");
        }

        return FromJson<T>(o, resolver);
    }

    /// <summary>Converts a scalar Python value to <paramref name="target"/> (a non-nullable type); false when the target is not a scalar type.</summary>
    private static bool TryConvertScalar(nint o, Type target, out object value)
    {
        value = null!;
        if (target == typeof(string))
        {
            value = Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(o)! : throw Mismatch(o, target, "a str");
        }
        else if (target == typeof(bool))
        {
            value = PythonValues.IsExactBool(o) || PythonValues.IsNumpyBool(o) ? LibPython.PyObject_IsTrue(o) == 1 : throw Mismatch(o, target, "a bool");
        }
        else if (IsIntegerType(target))
        {
            value = ToInteger(o, target);
        }
        else if (target == typeof(double) || target == typeof(float) || target == typeof(Half))
        {
            var d = ToDouble(o, target);
            value = target == typeof(double) ? d : target == typeof(float) ? (float)d : (object)(Half)d;
        }
        else if (target == typeof(decimal))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.Decimal) ? PythonValues.ReadDecimal(o)
                : PythonValues.IsInteger(o) ? ToDecimal(PythonValues.ReadInteger(o))
                : throw Mismatch(o, target, "a decimal.Decimal or an int");
        }
        else if (target == typeof(char))
        {
            var s = Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(o) : null;
            value = s is { Length: 1 } ? s[0] : throw Mismatch(o, target, "a str of one UTF-16 character");
        }
        else if (target == typeof(byte[]))
        {
            value = Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass) || Py.TypeOf(o) == LibPython.ByteArrayType
                ? ReadAllBytes(o)
                : throw Mismatch(o, target, "bytes or a bytearray");
        }
        else if (target == typeof(DateTime))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.DateTime) ? ToDateTime(PythonValues.ReadDateTime(o)) : throw Mismatch(o, target, "a datetime.datetime");
        }
        else if (target == typeof(DateTimeOffset))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.DateTime) ? ToDateTimeOffset(PythonValues.ReadDateTime(o), o) : throw Mismatch(o, target, "an aware datetime.datetime");
        }
        else if (target == typeof(DateOnly))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.Date) && !PythonTypes.IsInstance(o, PythonTypes.DateTime) ? PythonValues.ReadDate(o) : throw Mismatch(o, target, "a datetime.date (not a datetime)");
        }
        else if (target == typeof(TimeOnly))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.Time) ? PythonValues.ReadTime(o) : throw Mismatch(o, target, "a datetime.time");
        }
        else if (target == typeof(TimeSpan))
        {
            value = PythonTypes.IsInstance(o, PythonTypes.TimeDelta) ? PythonValues.ReadTimeDelta(o) : throw Mismatch(o, target, "a datetime.timedelta");
        }
        else if (target == typeof(Guid))
        {
            value = PythonJsonWriter.IsUuid(o) ? Guid.Parse(Py.Str(o), CultureInfo.InvariantCulture) : throw Mismatch(o, target, "a uuid.UUID");
        }
        else
        {
            return false;
        }

        return true;
    }

    private static bool IsIntegerType(Type t)
        => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort)
            || t == typeof(uint) || t == typeof(ulong) || t == typeof(nint) || t == typeof(nuint) || t == typeof(Int128) || t == typeof(UInt128)
            || t == typeof(BigInteger);

    private static object ToInteger(nint o, Type target)
    {
        if (!PythonValues.IsInteger(o))
        {
            throw Mismatch(o, target, PythonValues.IsFloat(o) ? "an int (floats are not rounded)" : "an int");
        }

        var n = PythonValues.ReadInteger(o);
        try
        {
            return target == typeof(BigInteger) ? n
                : target == typeof(int) ? checked((int)n)
                : target == typeof(long) ? checked((long)n)
                : target == typeof(short) ? checked((short)n)
                : target == typeof(sbyte) ? checked((sbyte)n)
                : target == typeof(byte) ? checked((byte)n)
                : target == typeof(ushort) ? checked((ushort)n)
                : target == typeof(uint) ? checked((uint)n)
                : target == typeof(ulong) ? checked((ulong)n)
                : target == typeof(nint) ? checked((nint)(long)n)
                : target == typeof(nuint) ? checked((nuint)(ulong)n)
                : target == typeof(Int128) ? checked((Int128)n)
                : (object)checked((UInt128)n);
        }
        catch (OverflowException)
        {
            throw new InvalidCastException($"The Python int {Abbreviate(n)} is outside the range of {TypeNames.Readable(target)}.");
        }
    }

    private static double ToDouble(nint o, Type target)
    {
        if (PythonValues.IsFloat(o))
        {
            return PythonValues.ReadFloat(o);
        }

        if (PythonValues.IsInteger(o))
        {
            var n = PythonValues.ReadInteger(o);
            var d = (double)n;
            return double.IsFinite(d) && (BigInteger)d == n
                ? d
                : throw new InvalidCastException($"The Python int {Abbreviate(n)} has no exact {TypeNames.Readable(target)} value.");
        }

        throw Mismatch(o, target, "a float or an int");
    }

    private static decimal ToDecimal(BigInteger n)
        => n >= (BigInteger)decimal.MinValue && n <= (BigInteger)decimal.MaxValue
            ? (decimal)n
            : throw new InvalidCastException($"The Python int {Abbreviate(n)} is outside the range of decimal.");

    private static DateTime ToDateTime((DateTime Local, TimeSpan? Offset) value)
        => value.Offset is { } offset
            ? DateTime.SpecifyKind(value.Local - offset, DateTimeKind.Utc)
            : value.Local;

    private static DateTimeOffset ToDateTimeOffset((DateTime Local, TimeSpan? Offset) value, nint o)
        => value.Offset is { } offset
            ? new DateTimeOffset(value.Local, offset)
            : throw new InvalidCastException($"A naive Python {Py.TypeName(o)} (no tzinfo) cannot be converted to DateTimeOffset: return an aware datetime, or ask for DateTime.");

    private static byte[] ReadAllBytes(nint o)
    {
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            return Py.ReadBytes(o).ToArray();
        }

        return PythonJsonWriter.CopyBuffer(o);
    }

    /// <summary>Binds <paramref name="o"/> to <typeparamref name="T"/> through its JSON image.</summary>
    public static T? FromJson<T>(nint o, IJsonTypeInfoResolver? resolver = null)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        PythonJsonWriter.WriteTo(buffer, o);
        try
        {
            return ConversionJson.Deserialize<T>(buffer.WrittenSpan, ConversionJson.For(resolver));
        }
        catch (JsonException e)
        {
            throw new InvalidCastException($"A Python {Py.TypeName(o)} cannot be converted to {TypeNames.Readable(typeof(T))}: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidCastException($"A Python {Py.TypeName(o)} cannot be converted to {TypeNames.Readable(typeof(T))}: {e.Message}", e);
        }
        finally
        {
            if (buffer.WrittenCount > 1 << 20)
            {
                t_buffer = null;
            }
        }
    }

    private static InvalidCastException Mismatch(nint o, Type target, string expected)
        => new($"A Python {Py.TypeName(o)} cannot be converted to {TypeNames.Readable(target)}: expected {expected}.");

    private static string Abbreviate(BigInteger n)
    {
        var text = n.ToString(CultureInfo.InvariantCulture);
        return text.Length <= 40 ? text : $"{text[..20]}…({text.Length} digits)";
    }

    /// <summary>Targets that receive the plain data of <see cref="ValueConverter.ToClr"/> as they did before typed conversion existed.</summary>
    private static readonly HashSet<Type> PlainDataShapes =
    [
        typeof(object[]), typeof(List<object?>), typeof(IList<object?>), typeof(IReadOnlyList<object?>), typeof(ICollection<object?>),
        typeof(IReadOnlyCollection<object?>), typeof(IEnumerable<object?>), typeof(Dictionary<string, object?>),
        typeof(IDictionary<string, object?>), typeof(IReadOnlyDictionary<string, object?>),
    ];
}
