using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// Writes a Python value as JSON for System.Text.Json to bind to a typed .NET result. Exact and type-preserving:
/// integers of any size as JSON integers, floats always with a fraction or exponent, <c>Decimal</c> as its exact
/// digits, <c>bytes</c> as base64 (what <c>byte[]</c> reads), date and time values in ISO 8601 (<c>timedelta</c> in
/// the <c>TimeSpan</c> form), <c>UUID</c> as its canonical text, dict keys that are <c>str</c> or <c>int</c>, sets
/// and tuples as arrays, and buffers (numpy arrays, <c>array.array</c>, <c>memoryview</c>) element by element.
/// Anything else is an <see cref="InvalidCastException"/> naming the Python type. Requires the GIL.
/// </summary>
internal static unsafe class PythonJsonWriter
{
    private const int MaxDepth = 64;

    // Py_buffer (CPython 3.11, 64-bit): buf, obj, len, itemsize, readonly (int), ndim (int), format, shape, strides, suboffsets, internal.
    private const int BufferSize = 80;
    private const int PyBufRecordsReadOnly = 0x0010 | 0x0008 | 0x0004; // PyBUF_STRIDES | PyBUF_FORMAT

    public static void Write(Utf8JsonWriter writer, nint o, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidCastException("The Python value is nested too deeply to be converted.");
        }

        if (o == LibPython.None)
        {
            writer.WriteNullValue();
        }
        else if (PythonValues.IsExactBool(o) || PythonValues.IsNumpyBool(o))
        {
            writer.WriteBooleanValue(LibPython.PyObject_IsTrue(o) == 1);
        }
        else if (PythonValues.IsInteger(o))
        {
            writer.WriteRawValue(PythonValues.ReadInteger(o).ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else if (PythonValues.IsFloat(o))
        {
            WriteFloat(writer, PythonValues.ReadFloat(o));
        }
        else if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            writer.WriteStringValue(Py.ReadString(o));
        }
        else if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            writer.WriteBase64StringValue(Py.ReadBytes(o));
        }
        else if (Py.TypeOf(o) == LibPython.ByteArrayType)
        {
            WriteBytesOfBuffer(writer, o);
        }
        else if (Py.IsInstanceOfFlag(o, Py.TpFlagsDictSubclass))
        {
            WriteDict(writer, o, depth);
        }
        else if (Py.IsInstanceOfFlag(o, Py.TpFlagsListSubclass | Py.TpFlagsTupleSubclass) || IsSet(o))
        {
            writer.WriteStartArray();
            ForEach(o, item => Write(writer, item, depth + 1));
            writer.WriteEndArray();
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.DateTime))
        {
            var (local, offset) = PythonValues.ReadDateTime(o);
            writer.WriteStringValue(offset is { } utcOffset
                ? new DateTimeOffset(local, utcOffset).ToString("O", CultureInfo.InvariantCulture)
                : local.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.Date))
        {
            writer.WriteStringValue(PythonValues.ReadDate(o).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.Time))
        {
            writer.WriteStringValue(PythonValues.ReadTime(o).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.TimeDelta))
        {
            writer.WriteStringValue(PythonValues.ReadTimeDelta(o).ToString("c", CultureInfo.InvariantCulture));
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.Decimal))
        {
            writer.WriteRawValue(PythonValues.ReadDecimalText(o), skipInputValidation: false);
        }
        else if (IsUuid(o))
        {
            writer.WriteStringValue(Py.Str(o));
        }
        else if (PythonTypes.IsInstance(o, PythonTypes.NumpyArray) || Py.TypeName(o) is "memoryview" or "array.array")
        {
            WriteBuffer(writer, o);
        }
        else
        {
            throw new InvalidCastException($"A Python value of type '{Py.TypeName(o)}' cannot be converted to .NET.");
        }
    }

    /// <summary>Writes a float so that it reads back as a floating-point number (never as an integer); non-finite values as System.Text.Json's named literals.</summary>
    public static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            return;
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        writer.WriteRawValue(text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0", skipInputValidation: true);
    }

    /// <summary>Whether <paramref name="o"/> is a <c>set</c> or <c>frozenset</c> (or a subclass).</summary>
    public static bool IsSet(nint o) => PythonTypes.IsInstance(o, "set") || PythonTypes.IsInstance(o, "frozenset");

    /// <summary>Whether <paramref name="o"/> is a <c>uuid.UUID</c> (a Python class: recognised by its module and name along the MRO).</summary>
    public static bool IsUuid(nint o)
    {
        var type = Py.TypeOf(o);
        var mro = *(nint*)(type + 344);
        if (mro == 0)
        {
            return false;
        }

        var count = *(nint*)(mro + 16);
        for (var i = 0; i < count; i++)
        {
            var t = *(nint*)(mro + 24 + (i * 8));
            if (Marshal.PtrToStringUTF8(*(nint*)(t + 24)) == "UUID")
            {
                var module = Py.GetAttr(t, "__module__");
                if (module == 0)
                {
                    LibPython.PyErr_Clear();
                    continue;
                }

                var isUuid = Py.TypeOf(module) == LibPython.UnicodeType && Py.ReadString(module) == "uuid";
                LibPython.Py_DecRef(module);
                if (isUuid)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Calls <paramref name="action"/> for every item of an iterable (borrowed references during the call).</summary>
    public static void ForEach(nint o, Action<nint> action)
    {
        var iterator = LibPython.PyObject_GetIter(o);
        if (iterator == 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        try
        {
            nint item;
            while ((item = LibPython.PyIter_Next(iterator)) != 0)
            {
                try
                {
                    action(item);
                }
                finally
                {
                    LibPython.Py_DecRef(item);
                }
            }

            if (LibPython.PyErr_Occurred() != 0)
            {
                throw PythonErrors.FromCurrent("conversion");
            }
        }
        finally
        {
            LibPython.Py_DecRef(iterator);
        }
    }

    private static void WriteDict(Utf8JsonWriter writer, nint o, int depth)
    {
        writer.WriteStartObject();
        nint position = 0, key, value;
        while (LibPython.PyDict_Next(o, &position, &key, &value) != 0)
        {
            if (Py.IsInstanceOfFlag(key, Py.TpFlagsUnicodeSubclass))
            {
                writer.WritePropertyName(Py.ReadString(key) ?? string.Empty);
            }
            else if (PythonValues.IsInteger(key))
            {
                writer.WritePropertyName(PythonValues.ReadInteger(key).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                throw new InvalidCastException($"A dict key of type '{Py.TypeName(key)}' cannot be converted to .NET: keys must be str or int.");
            }

            Write(writer, value, depth + 1);
        }

        writer.WriteEndObject();
    }

    private static void WriteBytesOfBuffer(Utf8JsonWriter writer, nint o) => writer.WriteBase64StringValue(CopyBuffer(o));

    /// <summary>Copies the bytes of a contiguous buffer (a <c>bytearray</c>, for example).</summary>
    public static byte[] CopyBuffer(nint o)
    {
        var view = stackalloc byte[BufferSize];
        if (LibPython.PyObject_GetBuffer(o, (nint)view, 0) != 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        try
        {
            return new ReadOnlySpan<byte>(*(void**)view, checked((int)*(long*)(view + 16))).ToArray();
        }
        finally
        {
            LibPython.PyBuffer_Release((nint)view);
        }
    }

    private static void WriteBuffer(Utf8JsonWriter writer, nint o)
    {
        var view = stackalloc byte[BufferSize];
        if (LibPython.PyObject_GetBuffer(o, (nint)view, PyBufRecordsReadOnly) != 0)
        {
            throw PythonErrors.FromCurrent("conversion");
        }

        try
        {
            var buffer = *(byte**)view;
            var itemSize = *(long*)(view + 24);
            var dimensions = *(int*)(view + 36);
            var format = Marshal.PtrToStringUTF8(*(nint*)(view + 40)) ?? "B";
            var shape = *(long**)(view + 48);
            var strides = *(long**)(view + 56);
            var code = ElementCode(format, itemSize, Py.TypeName(o));
            if (dimensions == 0)
            {
                WriteElement(writer, buffer, code);
                return;
            }

            WriteDimension(writer, buffer, 0, dimensions, shape, strides, itemSize, code);
        }
        finally
        {
            LibPython.PyBuffer_Release((nint)view);
        }
    }

    private static void WriteDimension(Utf8JsonWriter writer, byte* start, int dimension, int dimensions, long* shape, long* strides, long itemSize, char code)
    {
        writer.WriteStartArray();
        var stride = strides is null ? itemSize : strides[dimension];
        for (long i = 0; i < shape[dimension]; i++)
        {
            var item = start + (i * stride);
            if (dimension + 1 < dimensions)
            {
                WriteDimension(writer, item, dimension + 1, dimensions, shape, strides, itemSize, code);
            }
            else
            {
                WriteElement(writer, item, code);
            }
        }

        writer.WriteEndArray();
    }

    private static char ElementCode(string format, long itemSize, string typeName)
    {
        var code = format.TrimStart('@', '=', '<');
        if (code.Length != 1 || !"?bBhHiIlLqQfd".Contains(code[0], StringComparison.Ordinal) || (code[0] is 'l' or 'L' && itemSize != 8))
        {
            throw new InvalidCastException($"A {typeName} of element format '{format}' cannot be converted to .NET: numeric elements in native byte order are supported.");
        }

        return code[0];
    }

    private static void WriteElement(Utf8JsonWriter writer, byte* p, char code)
    {
        switch (code)
        {
            case '?': writer.WriteBooleanValue(*p != 0); break;
            case 'b': writer.WriteNumberValue(*(sbyte*)p); break;
            case 'B': writer.WriteNumberValue(*p); break;
            case 'h': writer.WriteNumberValue(*(short*)p); break;
            case 'H': writer.WriteNumberValue(*(ushort*)p); break;
            case 'i': writer.WriteNumberValue(*(int*)p); break;
            case 'I': writer.WriteNumberValue(*(uint*)p); break;
            case 'l' or 'q': writer.WriteNumberValue(*(long*)p); break;
            case 'L' or 'Q': writer.WriteNumberValue(*(ulong*)p); break;
            case 'f': WriteFloat(writer, *(float*)p); break;
            default: WriteFloat(writer, *(double*)p); break;
        }
    }

    /// <summary>Serialises <paramref name="o"/> into <paramref name="output"/>.</summary>
    public static void WriteTo(IBufferWriter<byte> output, nint o)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false, MaxDepth = MaxDepth + 2 });
        Write(writer, o);
    }
}
