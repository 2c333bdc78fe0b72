using System.Collections;
using System.Globalization;
using System.Numerics;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Converts plain data between .NET and Python with the C API: no .NET object ever becomes a
/// Python object. Every method requires the GIL.
/// </summary>
internal static unsafe class ValueConverter
{
    private const int MaxDepth = 64;

    /// <summary>Converts a .NET value to a new Python reference; throws <see cref="ArgumentException"/> for anything that is not plain data.</summary>
    public static nint ToPython(object? value, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException("The value is nested too deeply to be passed to Python.");
        }

        switch (value)
        {
            case null:
                return Py.NewNone();
            case bool b:
                return Py.NewBool(b);
            case string s:
                return Py.NewString(s);
            case char c:
                return Py.NewString([c]);
            case byte[] bytes:
                return Py.NewBytes(bytes);
            case ReadOnlyMemory<byte> rom:
                return Py.NewBytes(rom.Span);
            case sbyte or short or int or long or byte or ushort or uint:
                return Py.NewInt(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong ul:
                return LibPython.PyLong_FromUnsignedLongLong(ul);
            case float or double or decimal:
                return LibPython.PyFloat_FromDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case BigInteger big when big >= long.MinValue && big <= long.MaxValue:
                return Py.NewInt((long)big);
            case IDictionary dictionary:
                {
                    var d = LibPython.PyDict_New();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        var k = ToPython(entry.Key, depth + 1);
                        var v = ToPython(entry.Value, depth + 1);
                        LibPython.PyDict_SetItem(d, k, v);
                        LibPython.Py_DecRef(k);
                        LibPython.Py_DecRef(v);
                    }

                    return d;
                }

            case IEnumerable sequence:
                {
                    var list = LibPython.PyList_New(0);
                    foreach (var item in sequence)
                    {
                        var o = ToPython(item, depth + 1);
                        LibPython.PyList_Append(list, o);
                        LibPython.Py_DecRef(o);
                    }

                    return list;
                }

            default:
                throw new ArgumentException(
                    $"A value of type {value.GetType()} cannot be passed to Python: only null, booleans, numbers, strings, byte arrays, lists and dictionaries cross the boundary.");
        }
    }

    /// <summary>Converts a Python object (borrowed) to plain .NET data.</summary>
    public static object? ToClr(nint o, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidCastException("The Python value is nested too deeply to be converted.");
        }

        if (o == LibPython.None)
        {
            return null;
        }

        var type = Py.TypeOf(o);
        if (type == LibPython.BoolType)
        {
            return o == LibPython.True;
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            int overflow;
            long value;
            unsafe
            {
                value = LibPython.PyLong_AsLongLongAndOverflow(o, &overflow);
            }

            if (overflow == 0)
            {
                return value;
            }

            return BigInteger.Parse(Py.Str(o), CultureInfo.InvariantCulture);
        }

        if (type == LibPython.FloatType || LibPython.PyObject_IsInstance(o, LibPython.FloatType) == 1)
        {
            return LibPython.PyFloat_AsDouble(o);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            return Py.ReadString(o);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            return Py.ReadBytes(o).ToArray();
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsDictSubclass))
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            nint pos = 0, key, value;
            unsafe
            {
                while (LibPython.PyDict_Next(o, &pos, &key, &value) != 0)
                {
                    var k = ToClr(key, depth + 1);
                    result[k as string ?? Convert.ToString(k, CultureInfo.InvariantCulture) ?? "None"] = ToClr(value, depth + 1);
                }
            }

            return result;
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsListSubclass | Py.TpFlagsTupleSubclass) || type == LibPython.ByteArrayType)
        {
            if (type == LibPython.ByteArrayType)
            {
                throw new InvalidCastException("bytearray results are not supported; return bytes.");
            }

            var list = new List<object?>();
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
                        list.Add(ToClr(item, depth + 1));
                    }
                    finally
                    {
                        LibPython.Py_DecRef(item);
                    }
                }
            }
            finally
            {
                LibPython.Py_DecRef(iterator);
            }

            return list;
        }

        throw new InvalidCastException($"A Python value of type '{Py.TypeName(o)}' cannot be converted to .NET: return None, bool, int, float, str, bytes, list, tuple or dict.");
    }

    /// <summary>Converts plain data to <typeparamref name="T"/>.</summary>
    public static T? ConvertTo<T>(object? value)
    {
        if (value is null)
        {
            return default;
        }

        if (value is T t)
        {
            return t;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(target))
        {
            return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }

        if (value is List<object?> list && target.IsArray)
        {
            var element = target.GetElementType()!;
            var array = Array.CreateInstance(element, list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                array.SetValue(list[i] is null ? null : Convert.ChangeType(list[i], element, CultureInfo.InvariantCulture), i);
            }

            return (T)(object)array;
        }

        throw new InvalidCastException($"The Python result ({value.GetType().Name}) cannot be converted to {typeof(T)}.");
    }
}
