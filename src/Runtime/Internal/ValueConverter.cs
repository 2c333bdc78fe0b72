using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PyHosting.Internal.Conversion;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Converts data between .NET and Python with the C API: no .NET object ever becomes a Python object (a record
/// or class crosses as a dict of its members). Every method requires the GIL.
/// </summary>
internal static unsafe class ValueConverter
{
    private const int MaxDepth = 64;

    /// <summary>Converts a .NET value to a new Python reference; throws <see cref="ArgumentException"/> for a value that has no Python counterpart.</summary>
    /// <param name="value">The value.</param>
    /// <param name="depth">How deep <paramref name="value"/> is nested in the value being converted.</param>
    /// <param name="resolver">The application's contracts of records and classes (<see cref="PythonRuntimeOptions.TypeInfoResolver"/>).</param>
    public static nint ToPython(object? value, int depth = 0, IJsonTypeInfoResolver? resolver = null)
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
            case nint n:
                return Py.NewInt(n);
            case Enum e:
                return Convert.GetTypeCode(e) is TypeCode.UInt64 ? LibPython.PyLong_FromUnsignedLongLong(Convert.ToUInt64(e, CultureInfo.InvariantCulture)) : Py.NewInt(Convert.ToInt64(e, CultureInfo.InvariantCulture));
            case float or double or Half:
                return LibPython.PyFloat_FromDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case BigInteger big when big >= long.MinValue && big <= long.MaxValue:
                return Py.NewInt((long)big);
            case BigInteger or Int128 or UInt128 or nuint:
                return CallType(LibPython.LongType, Py.NewString(Convert.ToString(value, CultureInfo.InvariantCulture)));
            case decimal d:
                return CallStaticType("decimal", "Decimal", PythonTypes.Decimal, Py.NewString(d.ToString(CultureInfo.InvariantCulture)));
            case Guid g:
                return CallUuid(g);
            case DateTime dt:
                return NewDateTime(dt);
            case DateTimeOffset dto:
                return NewDateTime(dto.DateTime, dto.Offset);
            case DateOnly date:
                return CallStaticType("datetime", "date", PythonTypes.Date, Py.NewInt(date.Year), Py.NewInt(date.Month), Py.NewInt(date.Day));
            case TimeOnly time:
                return CallStaticType("datetime", "time", PythonTypes.Time, Py.NewInt(time.Hour), Py.NewInt(time.Minute), Py.NewInt(time.Second), Py.NewInt((time.Ticks % TimeSpan.TicksPerSecond) / TimeSpan.TicksPerMicrosecond));
            case TimeSpan span:
                return NewTimeDelta(span);
            case IDictionary dictionary:
                {
                    var d = LibPython.PyDict_New();
                    try
                    {
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            SetItem(d, entry.Key, entry.Value, depth, resolver);
                        }
                    }
                    catch
                    {
                        LibPython.Py_DecRef(d);
                        throw;
                    }

                    return d;
                }

            case IEnumerable sequence:
                {
                    var isSet = IsSet(sequence.GetType());
                    var list = LibPython.PyList_New(0);
                    try
                    {
                        foreach (var item in sequence)
                        {
                            var o = ToPython(item, depth + 1, resolver);
                            LibPython.PyList_Append(list, o);
                            LibPython.Py_DecRef(o);
                        }
                    }
                    catch
                    {
                        LibPython.Py_DecRef(list);
                        throw;
                    }

                    return isSet ? CallType(LibPython.Export("PySet_Type"), list) : list;
                }

            default:
                return FromMembers(value, depth, resolver);
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

        if (PythonValues.IsExactBool(o) || PythonValues.IsNumpyBool(o))
        {
            return LibPython.PyObject_IsTrue(o) == 1;
        }

        if (PythonValues.IsInteger(o))
        {
            var n = PythonValues.ReadInteger(o);
            return n >= long.MinValue && n <= long.MaxValue ? (object)(long)n : n;
        }

        if (PythonValues.IsFloat(o))
        {
            return PythonValues.ReadFloat(o);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            return Py.ReadString(o);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            return Py.ReadBytes(o).ToArray();
        }

        if (Py.TypeOf(o) == LibPython.ByteArrayType)
        {
            return PythonJsonWriter.CopyBuffer(o);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsDictSubclass))
        {
            return DictionaryToClr(o, depth);
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsListSubclass | Py.TpFlagsTupleSubclass))
        {
            var list = new List<object?>();
            PythonJsonWriter.ForEach(o, item => list.Add(ToClr(item, depth + 1)));
            return list;
        }

        if (PythonJsonWriter.IsSet(o))
        {
            var set = new HashSet<object?>();
            PythonJsonWriter.ForEach(o, item => set.Add(ToClr(item, depth + 1)));
            return set;
        }

        if (PythonTypes.IsInstance(o, PythonTypes.DateTime))
        {
            var (local, offset) = PythonValues.ReadDateTime(o);
            return offset is { } utcOffset ? new DateTimeOffset(local, utcOffset) : local;
        }

        if (PythonTypes.IsInstance(o, PythonTypes.Date))
        {
            return PythonValues.ReadDate(o);
        }

        if (PythonTypes.IsInstance(o, PythonTypes.Time))
        {
            return PythonValues.ReadTime(o);
        }

        if (PythonTypes.IsInstance(o, PythonTypes.TimeDelta))
        {
            return PythonValues.ReadTimeDelta(o);
        }

        if (PythonTypes.IsInstance(o, PythonTypes.Decimal))
        {
            return PythonValues.ReadDecimal(o);
        }

        if (PythonJsonWriter.IsUuid(o))
        {
            return Guid.Parse(Py.Str(o), CultureInfo.InvariantCulture);
        }

        if (PythonTypes.IsInstance(o, PythonTypes.NumpyArray) || Py.TypeName(o) is "memoryview" or "array.array")
        {
            return ResultConverter.FromJson<List<object?>>(o);
        }

        throw new InvalidCastException($"A Python value of type '{Py.TypeName(o)}' cannot be converted to .NET: return None, bool, int, float, str, bytes, list, tuple, dict, set, a date or time, Decimal, UUID or a numpy array.");
    }

    private static object DictionaryToClr(nint o, int depth)
    {
        var byString = new Dictionary<string, object?>(StringComparer.Ordinal);
        Dictionary<object, object?>? byKey = null;
        nint pos = 0, key, value;
        while (LibPython.PyDict_Next(o, &pos, &key, &value) != 0)
        {
            var k = ToClr(key, depth + 1);
            var v = ToClr(value, depth + 1);
            if (byKey is null && k is string s)
            {
                byString[s] = v;
                continue;
            }

            if (k is null or List<object?> or HashSet<object?> or Dictionary<string, object?> or Dictionary<object, object?> or byte[])
            {
                throw new InvalidCastException($"A dict key of type '{Py.TypeName(key)}' cannot be converted to .NET.");
            }

            byKey ??= byString.ToDictionary(p => (object)p.Key, p => p.Value);
            byKey[k] = v;
        }

        return byKey is null ? byString : byKey;
    }

    private static void SetItem(nint dict, object? key, object? value, int depth, IJsonTypeInfoResolver? resolver)
    {
        var k = ToPython(key, depth + 1, resolver);
        try
        {
            var v = ToPython(value, depth + 1, resolver);
            var status = LibPython.PyDict_SetItem(dict, k, v);
            LibPython.Py_DecRef(v);
            if (status != 0)
            {
                LibPython.PyErr_Clear();
                throw new ArgumentException($"A dictionary key of type {TypeNames.Readable(key!.GetType())} cannot be a Python dict key.");
            }
        }
        finally
        {
            LibPython.Py_DecRef(k);
        }
    }

    /// <summary>Whether a sequence of <paramref name="type"/> crosses as a Python set rather than a list.</summary>
    /// <param name="type">The sequence's type.</param>
    /// <returns><see langword="true"/> for a set type.</returns>
    internal static bool IsSet(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && Array.IndexOf(KnownSets, t.GetGenericTypeDefinition()) >= 0)
            {
                return true;
            }
        }

        return ImplementsSetInterface(type);
    }

    private static readonly Type[] KnownSets =
    [
        typeof(HashSet<>), typeof(SortedSet<>), typeof(System.Collections.Immutable.ImmutableHashSet<>),
        typeof(System.Collections.Immutable.ImmutableSortedSet<>), typeof(System.Collections.Frozen.FrozenSet<>),
    ];

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Trimming may drop an interface implementation the application never uses; a set type of its own whose ISet<T> is dropped so crosses as a list (documented). The framework's set types are matched above by their definitions, which trimming keeps.")]
    private static bool ImplementsSetInterface(Type type)
        => Array.Exists(type.GetInterfaces(), static i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(ISet<>) || i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)));

    /// <summary>
    /// The members a record or class crosses to Python with: those System.Text.Json would serialise (snake_case names),
    /// the same in process and through a worker's channel.
    /// </summary>
    /// <param name="type">The value's type.</param>
    /// <param name="json">The contracts (<see cref="ConversionJson.For"/>); <see langword="null"/> for the runtime's own.</param>
    /// <returns>The type's contract, of kind <see cref="JsonTypeInfoKind.Object"/>.</returns>
    /// <exception cref="ArgumentException">The type has no such members (a delegate, a stream, a type, a scalar the conversion does not know), or no contract.</exception>
    internal static JsonTypeInfo ObjectContract(Type type, JsonSerializerOptions? json = null)
    {
        if (typeof(Delegate).IsAssignableFrom(type) || typeof(Stream).IsAssignableFrom(type) || typeof(Type).IsAssignableFrom(type))
        {
            throw NotPlainData(type);
        }

        bool found;
        JsonTypeInfo? info;
        try
        {
            found = (json ?? ConversionJson.Options).TryGetTypeInfo(type, out info);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw NotPlainData(type);
        }

        if (!found)
        {
            throw new ArgumentException($"A value of type {TypeNames.Readable(type)} cannot be passed to Python: {ConversionJson.MissingContract(type)}");
        }

        return info is { Kind: JsonTypeInfoKind.Object } ? info : throw NotPlainData(type);
    }

    private static ArgumentException NotPlainData(Type type) => new(
        $"A value of type {TypeNames.Readable(type)} cannot be passed to Python: pass null, booleans, numbers, strings, byte arrays, dates and times, Guid, lists, sets, dictionaries, or records and classes of those.");

    /// <summary>A record or class crosses as a dict of the members System.Text.Json would serialise (snake_case names).</summary>
    private static nint FromMembers(object value, int depth, IJsonTypeInfoResolver? resolver)
    {
        var info = ObjectContract(value.GetType(), ConversionJson.For(resolver));
        var dict = LibPython.PyDict_New();
        try
        {
            foreach (var property in info.Properties)
            {
                if (property.Get is { } get)
                {
                    SetItem(dict, property.Name, get(value), depth, resolver);
                }
            }
        }
        catch
        {
            LibPython.Py_DecRef(dict);
            throw;
        }

        return dict;
    }

    private static nint NewDateTime(DateTime value, TimeSpan? offset = null)
    {
        offset ??= value.Kind switch
        {
            DateTimeKind.Utc => TimeSpan.Zero,
            DateTimeKind.Local => TimeZoneInfo.Local.GetUtcOffset(value),
            _ => null,
        };

        var microsecond = (value.Ticks % TimeSpan.TicksPerSecond) / TimeSpan.TicksPerMicrosecond;
        if (offset is not { } o)
        {
            return CallStaticType("datetime", "datetime", PythonTypes.DateTime, Py.NewInt(value.Year), Py.NewInt(value.Month), Py.NewInt(value.Day), Py.NewInt(value.Hour), Py.NewInt(value.Minute), Py.NewInt(value.Second), Py.NewInt(microsecond));
        }

        var zone = CallStaticType("datetime", "timezone", "datetime.timezone", NewTimeDelta(o));
        return CallStaticType("datetime", "datetime", PythonTypes.DateTime, Py.NewInt(value.Year), Py.NewInt(value.Month), Py.NewInt(value.Day), Py.NewInt(value.Hour), Py.NewInt(value.Minute), Py.NewInt(value.Second), Py.NewInt(microsecond), zone);
    }

    private static nint NewTimeDelta(TimeSpan span)
    {
        // timedelta(days, seconds, microseconds) normalises negative parts itself; sub-microsecond ticks are truncated.
        var microseconds = span.Ticks / TimeSpan.TicksPerMicrosecond;
        var days = Math.DivRem(microseconds, 86_400_000_000L, out var rest);
        return CallStaticType("datetime", "timedelta", PythonTypes.TimeDelta, Py.NewInt(days), Py.NewInt(rest / 1_000_000), Py.NewInt(rest % 1_000_000));
    }

    /// <summary>Calls a C extension's class, checked to be CPython's static type; steals the argument references.</summary>
    private static nint CallStaticType(string module, string attribute, string expectedName, params ReadOnlySpan<nint> arguments)
    {
        nint type;
        try
        {
            type = PythonTypes.ImportStaticType(module, attribute, expectedName);
        }
        catch
        {
            foreach (var a in arguments)
            {
                LibPython.Py_DecRef(a);
            }

            throw;
        }

        try
        {
            return CallType(type, arguments);
        }
        finally
        {
            LibPython.Py_DecRef(type);
        }
    }

    private static nint CallUuid(Guid value)
    {
        var module = Py.Import("uuid");
        if (module == 0)
        {
            throw PythonErrors.FromCurrent("uuid");
        }

        var type = Py.GetAttr(module, "UUID");
        LibPython.Py_DecRef(module);
        if (type == 0)
        {
            throw PythonErrors.FromCurrent("uuid");
        }

        try
        {
            return CallType(type, Py.NewString(value.ToString("D", CultureInfo.InvariantCulture)));
        }
        finally
        {
            LibPython.Py_DecRef(type);
        }
    }

    /// <summary>Calls <paramref name="type"/> with <paramref name="arguments"/> (references stolen); throws on a Python error.</summary>
    private static nint CallType(nint type, params ReadOnlySpan<nint> arguments)
    {
        var tuple = LibPython.PyTuple_New(arguments.Length);
        for (var i = 0; i < arguments.Length; i++)
        {
            LibPython.PyTuple_SetItem(tuple, i, arguments[i]);
        }

        var result = LibPython.PyObject_Call(type, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result != 0 ? result : throw new ArgumentException($"The value could not be created in Python: {PythonErrors.FromCurrent("conversion").PythonMessage}");
    }
}
