using System.Globalization;
using System.Numerics;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// Reads scalar Python values into .NET values. Date and time fields are read from the C structures of
/// CPython's <c>datetime</c> types (so a subclass's properties cannot lie about them); only an aware value's
/// <c>utcoffset()</c> runs Python code, as it must. Every method requires the GIL.
/// </summary>
internal static unsafe class PythonValues
{
    // _datetime's object layouts (CPython 3.11, 64-bit): PyObject_HEAD (16), hashcode (8), hastzinfo (1), data.
    private const int HasTzInfoOffset = 24;
    private const int DataOffset = 25;
    private const int DateTimeTzInfoOffset = 40;
    private const int TimeTzInfoOffset = 32;
    private const int DeltaDaysOffset = 24;
    private const int DeltaSecondsOffset = 28;
    private const int DeltaMicrosecondsOffset = 32;

    public static bool IsExactBool(nint o) => Py.TypeOf(o) == LibPython.BoolType;

    /// <summary>Whether <paramref name="o"/> is an <c>int</c> (not a <c>bool</c>) or a numpy integer scalar.</summary>
    public static bool IsInteger(nint o)
        => (Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) && !IsExactBool(o))
            || (PythonTypes.IsInstance(o, PythonTypes.NumpyGeneric) && Py.TypeName(o).Contains("int", StringComparison.Ordinal));

    public static bool IsFloat(nint o)
        => Py.TypeOf(o) == LibPython.FloatType || LibPython.PyObject_IsInstance(o, LibPython.FloatType) == 1
            || (PythonTypes.IsInstance(o, PythonTypes.NumpyGeneric) && Py.TypeName(o).Contains("float", StringComparison.Ordinal));

    public static bool IsNumpyBool(nint o) => PythonTypes.IsInstance(o, PythonTypes.NumpyGeneric) && Py.TypeName(o) == "numpy.bool_";

    /// <summary>Reads an integer exactly (any size).</summary>
    public static BigInteger ReadInteger(nint o)
    {
        var index = LibPython.PyNumber_Index(o);
        if (index == 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        try
        {
            int overflow;
            var value = LibPython.PyLong_AsLongLongAndOverflow(index, &overflow);
            if (overflow == 0)
            {
                return value;
            }

            return BigInteger.Parse(Py.Str(index), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        finally
        {
            LibPython.Py_DecRef(index);
        }
    }

    public static double ReadFloat(nint o)
    {
        var value = LibPython.PyFloat_AsDouble(o);
        if (value == -1 && LibPython.PyErr_Occurred() != 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        return value;
    }

    /// <summary>Reads a <c>datetime.datetime</c>: its wall-clock fields and, when aware, its UTC offset.</summary>
    public static (DateTime Local, TimeSpan? Offset) ReadDateTime(nint o)
    {
        var d = (byte*)(o + DataOffset);
        var local = new DateTime((d[0] << 8) | d[1], d[2], d[3], d[4], d[5], d[6], DateTimeKind.Unspecified)
            .AddTicks(((d[7] << 16) | (d[8] << 8) | d[9]) * TimeSpan.TicksPerMicrosecond);
        var hasTz = *(byte*)(o + HasTzInfoOffset) != 0 && *(nint*)(o + DateTimeTzInfoOffset) != LibPython.None;
        return (local, hasTz ? UtcOffset(o) : null);
    }

    public static DateOnly ReadDate(nint o)
    {
        var d = (byte*)(o + DataOffset);
        return new DateOnly((d[0] << 8) | d[1], d[2], d[3]);
    }

    /// <summary>Reads a naive <c>datetime.time</c>; an aware one is refused (a time of day has no date to apply its offset to).</summary>
    public static TimeOnly ReadTime(nint o)
    {
        if (*(byte*)(o + HasTzInfoOffset) != 0 && *(nint*)(o + TimeTzInfoOffset) != LibPython.None)
        {
            throw new InvalidCastException("An aware datetime.time (with tzinfo) cannot be converted to TimeOnly: return a naive time.");
        }

        var d = (byte*)(o + DataOffset);
        return new TimeOnly(d[0], d[1], d[2]).Add(TimeSpan.FromTicks(((d[3] << 16) | (d[4] << 8) | d[5]) * TimeSpan.TicksPerMicrosecond));
    }

    public static TimeSpan ReadTimeDelta(nint o)
    {
        var days = *(int*)(o + DeltaDaysOffset);
        var seconds = *(int*)(o + DeltaSecondsOffset);
        var microseconds = *(int*)(o + DeltaMicrosecondsOffset);
        var ticks = ((BigInteger)days * TimeSpan.TicksPerDay) + ((BigInteger)seconds * TimeSpan.TicksPerSecond) + ((BigInteger)microseconds * TimeSpan.TicksPerMicrosecond);
        if (ticks > long.MaxValue || ticks < long.MinValue)
        {
            throw new InvalidCastException($"The timedelta of {days} days is outside the range of TimeSpan.");
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Reads a finite <c>decimal.Decimal</c> as its exact text (for example <c>1.10</c> or <c>1E+3</c>).</summary>
    public static string ReadDecimalText(nint o)
    {
        var text = Py.Str(o);
        if (text.Contains("Inf", StringComparison.OrdinalIgnoreCase) || text.Contains("NaN", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidCastException($"The Decimal {text} has no .NET decimal value.");
        }

        return text;
    }

    public static decimal ReadDecimal(nint o)
    {
        var text = ReadDecimalText(o);
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidCastException($"The Decimal {text} is outside the range or precision of System.Decimal.");
    }

    private static TimeSpan UtcOffset(nint datetime)
    {
        var method = Py.GetAttr(datetime, "utcoffset");
        if (method == 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        var noArguments = LibPython.PyTuple_New(0);
        var offset = LibPython.PyObject_Call(method, noArguments, 0);
        LibPython.Py_DecRef(noArguments);
        LibPython.Py_DecRef(method);
        if (offset == 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        try
        {
            return offset == LibPython.None ? TimeSpan.Zero
                : PythonTypes.IsInstance(offset, PythonTypes.TimeDelta) ? ReadTimeDelta(offset)
                : throw new InvalidCastException($"utcoffset() returned {Py.TypeName(offset)}, not a timedelta.");
        }
        finally
        {
            LibPython.Py_DecRef(offset);
        }
    }
}
