using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.TimeZones;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The local-time half of <c>time</c>: <c>localtime</c>, <c>mktime</c>, <c>ctime</c>, <c>asctime</c>/<c>strftime</c>
/// without a tuple, the zone of <c>strftime</c>'s <c>%Z</c>, <c>tzset</c> and the <c>timezone</c>/<c>altzone</c>/
/// <c>daylight</c>/<c>tzname</c> attributes are computed in the runtime's own zone (<see cref="RuntimeTimeZone"/>),
/// never the C library's, which belongs to the host process.
/// </summary>
internal sealed unsafe partial class TimeModule
{
    private const int TupleSizeOffset = 16;
    private const int TupleItemsOffset = 24;
    private const int RoundFloor = 0;

    /// <summary>EOVERFLOW (Linux): the year of a time does not fit C's <c>int</c>.</summary>
    private const int ValueTooLarge = 75;

    /// <summary>The <c>struct_time</c> of the first instance, the one CPython's kept functions (<c>strftime</c>, <c>asctime</c>) read <c>tm_zone</c> from.</summary>
    private nint _structTime;

    private void PatchLocalTime(nint module)
    {
        var structTime = Py.GetAttr(module, "struct_time"); // kept: the type lives as long as its module
        if (structTime == 0)
        {
            throw new PythonErrorException();
        }

        if (_structTime == 0)
        {
            _structTime = structTime;
        }

        _patcher.Replace(module, "time", "localtime", "seconds=None, /", args => StructTime(structTime, Zone.Current.Local(SecondsArgument(args, "seconds"))));
        _patcher.Replace(module, "time", "ctime", "seconds=None, /", args => CallOriginal("asctime", LocalStructTime(SecondsArgument(args, "seconds"))));
        _patcher.Replace(module, "time", "asctime", "t=None, /", args =>
        {
            var t = Arg.Optional(args, "t");
            return t != 0 ? args.Forward(ModulePatcher.Original("time", "asctime")) : CallOriginal("asctime", LocalStructTime(FloorSeconds()));
        });
        _patcher.Replace(module, "time", "strftime", "format, t=None, /", Strftime);
        _patcher.Replace(module, "time", "mktime", "t, /", Mktime);

        // A weak reference: tzset sets the attributes of the instance it came from, if that instance still exists.
        var weak = ((delegate* unmanaged<nint, nint, nint>)LibPython.Export("PyWeakref_NewRef"))(module, 0);
        if (weak == 0)
        {
            throw new PythonErrorException();
        }

        _patcher.Replace(module, "time", "tzset", "", _ =>
        {
            Zone.Reset();
            var target = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyWeakref_GetObject"))(weak);
            return target == LibPython.None || SetZoneAttributes(target) == 0 ? Py.NewNone() : 0;
        });
        foreach (var name in (ReadOnlySpan<string>)["clock_settime", "clock_settime_ns"])
        {
            var n = name;
            _patcher.Replace(module, "time", n, "clk_id, time, /", args => ClockSet(n, args));
        }

        if (SetZoneAttributes(module) != 0)
        {
            throw new PythonErrorException();
        }
    }

    /// <summary>
    /// <c>timezone</c>, <c>altzone</c>, <c>daylight</c> and <c>tzname</c> as CPython computes them on glibc: from the
    /// local time of January and July of the current year (by the runtime's clock), swapped in the southern hemisphere.
    /// </summary>
    private int SetZoneAttributes(nint module)
    {
        const long Year = ((365 * 24) + 6) * 3600;
        var zone = Zone.Current;
        var t = Math.DivRem(FloorSeconds(), Year, out var r) - (r < 0 ? 1 : 0);
        var january = zone.At(t * Year);
        var july = zone.At((t * Year) + (Year / 2));
        var (standard, daylight) = -january.Offset < -july.Offset ? (july, january) : (january, july);
        var names = Py.Tuple(Py.NewString(standard.Abbreviation), Py.NewString(daylight.Abbreviation));
        if (names == 0)
        {
            return -1;
        }

        var failed = SetAttribute(module, "timezone", Py.NewInt(-standard.Offset))
            | SetAttribute(module, "altzone", Py.NewInt(-daylight.Offset))
            | SetAttribute(module, "daylight", Py.NewInt(january.Offset != july.Offset ? 1 : 0))
            | SetAttribute(module, "tzname", names);
        return failed ? -1 : 0;
    }

    private static bool SetAttribute(nint module, string name, nint value)
    {
        if (value == 0)
        {
            return true;
        }

        var result = Py.SetAttr(module, name, value);
        LibPython.Py_DecRef(value);
        return result != 0;
    }

    /// <summary>A <c>time_t</c> argument as CPython reads it (rounded down; its own errors for NaN and overflow), or the provider's time.</summary>
    private long SecondsArgument(BridgeArgs args, string name)
    {
        var o = Arg.Optional(args, name);
        if (o == 0)
        {
            return FloorSeconds();
        }

        long seconds;
        return ((delegate* unmanaged<nint, long*, int, int>)LibPython.Export("_PyTime_ObjectToTime_t"))(o, &seconds, RoundFloor) < 0
            ? throw new PythonErrorException()
            : seconds;
    }

    private nint LocalStructTime(long seconds) => StructTime(_structTime, Zone.Current.Local(seconds));

    /// <summary>A <c>struct_time</c> with <c>tm_zone</c> and <c>tm_gmtoff</c>; OSError(EOVERFLOW) when the year does not fit C's <c>int</c>, as glibc answers.</summary>
    private static nint StructTime(nint type, LocalTime t)
    {
        if (t.Year - 1900 is < int.MinValue or > int.MaxValue)
        {
            throw new PythonIOException(ValueTooLarge, "Value too large for defined data type");
        }

        var fields = Py.Tuple(
            Py.NewInt(t.Year), Py.NewInt(t.Month), Py.NewInt(t.Day), Py.NewInt(t.Hour), Py.NewInt(t.Minute), Py.NewInt(t.Second),
            Py.NewInt(t.Weekday), Py.NewInt(t.YearDay), Py.NewInt(t.Period.IsDst ? 1 : 0), Py.NewString(t.Period.Abbreviation), Py.NewInt(t.Period.Offset));
        var args = Py.Tuple(fields);
        var result = Py.Call(type, args, 0, "time.struct_time");
        LibPython.Py_DecRef(args);
        return result;
    }

    /// <summary>Calls a kept original with one argument, whose reference it takes.</summary>
    private static nint CallOriginal(string name, nint argument)
    {
        var args = Py.Tuple(argument);
        var result = Py.Call(ModulePatcher.Original("time", name), args, 0, "time." + name);
        LibPython.Py_DecRef(args);
        return result;
    }

    /// <summary>
    /// <c>strftime</c>: without a tuple, the local time now. <c>%Z</c> is written here, since glibc would fall back to its
    /// own <c>tzname</c> (the host's) for a tuple without a zone: the tuple's <c>tm_zone</c> when it has one, otherwise the
    /// runtime's <c>tzname[tm_isdst]</c>, or nothing for a negative <c>tm_isdst</c>.
    /// </summary>
    private nint Strftime(BridgeArgs args)
    {
        var format = Arg.Required(args, 0, "format");
        var t = Arg.Optional(args, "t");
        var original = ModulePatcher.Original("time", "strftime");
        var text = Py.IsInstanceOfFlag(format, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(format) : null;
        if (text is null || !text.Contains("%Z", StringComparison.Ordinal))
        {
            LibPython.PyErr_Clear();
            if (t != 0)
            {
                return args.Forward(original);
            }

            var now = LocalStructTime(FloorSeconds());
            if (now == 0)
            {
                return 0;
            }

            LibPython.Py_IncRef(format);
            return Call(original, format, now);
        }

        nint tuple;
        if (t == 0)
        {
            tuple = LocalStructTime(FloorSeconds());
        }
        else
        {
            LibPython.Py_IncRef(t);
            tuple = t;
        }

        if (tuple == 0)
        {
            return 0;
        }

        return Call(original, Py.NewString(WithZoneName(text, ZoneNameOf(tuple))), tuple);
    }

    private static nint Call(nint original, nint format, nint tuple)
    {
        var call = Py.Tuple(format, tuple);
        var result = Py.Call(original, call, 0, "time.strftime");
        LibPython.Py_DecRef(call);
        return result;
    }

    /// <summary>Replaces each <c>%Z</c> (not <c>%%Z</c>) by the name, its own percent signs doubled.</summary>
    private static string WithZoneName(string format, string name)
    {
        var escaped = name.Replace("%", "%%", StringComparison.Ordinal);
        var result = new System.Text.StringBuilder(format.Length + escaped.Length);
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '%' && i + 1 < format.Length)
            {
                if (format[i + 1] == 'Z')
                {
                    result.Append(escaped);
                }
                else
                {
                    result.Append(format, i, 2);
                }

                i++;
                continue;
            }

            result.Append(format[i]);
        }

        return result.ToString();
    }

    /// <summary>The zone name <c>%Z</c> shows for a time tuple ("" when the tuple is not one: CPython then raises its own error).</summary>
    private string ZoneNameOf(nint t)
    {
        var type = Py.TypeOf(t);
        var isTuple = Py.IsInstanceOfFlag(t, Py.TpFlagsTupleSubclass);
        if (!isTuple || *(nint*)(t + TupleSizeOffset) != 9)
        {
            return string.Empty;
        }

        var items = (nint*)(t + TupleItemsOffset);
        if (type == _structTime && Py.IsInstanceOfFlag(items[9], Py.TpFlagsUnicodeSubclass))
        {
            var zone = Py.ReadString(items[9]);
            LibPython.PyErr_Clear();
            return zone ?? string.Empty;
        }

        if (!Py.IsInstanceOfFlag(items[8], Py.TpFlagsLongSubclass))
        {
            return string.Empty;
        }

        var isDst = LibPython.PyLong_AsLongLong(items[8]);
        if (isDst == -1 && LibPython.PyErr_Occurred() != 0)
        {
            LibPython.PyErr_Clear();
            return string.Empty;
        }

        if (isDst < 0)
        {
            return string.Empty;
        }

        var current = Zone.Current;
        var (standard, daylight) = current is PosixTimeZone posix ? posix.Names : ZoneNames(current);
        return isDst == 0 ? standard : daylight;
    }

    private (string Standard, string Daylight) ZoneNames(LocalZone zone)
    {
        const long Year = ((365 * 24) + 6) * 3600;
        var start = (FloorSeconds() / Year) * Year;
        var january = zone.At(start);
        var july = zone.At(start + (Year / 2));
        return january.IsDst && !july.IsDst ? (july.Abbreviation, january.Abbreviation) : (january.Abbreviation, july.Abbreviation);
    }

    /// <summary>
    /// <c>mktime(t)</c>: the tuple read as CPython reads it (nine C ints; no range check, the fields are normalised), then
    /// converted in the runtime's zone with glibc's rules for gaps, folds and a contradicting <c>tm_isdst</c>.
    /// </summary>
    private nint Mktime(BridgeArgs args)
    {
        var t = Arg.Required(args, 0, "t");
        if (!Py.IsInstanceOfFlag(t, Py.TpFlagsTupleSubclass))
        {
            throw new PythonArgumentException("Tuple or struct_time argument required");
        }

        if (*(nint*)(t + TupleSizeOffset) != 9)
        {
            throw new PythonArgumentException("mktime(): illegal time tuple argument");
        }

        var items = (nint*)(t + TupleItemsOffset);
        Span<long> f = stackalloc long[9];
        for (var i = 0; i < 9; i++)
        {
            if (Py.TypeOf(items[i]) == LibPython.FloatType || !Py.IsInstanceOfFlag(items[i], Py.TpFlagsLongSubclass))
            {
                throw new PythonArgumentException($"'{Py.TypeName(items[i])}' object cannot be interpreted as an integer");
            }

            var v = LibPython.PyLong_AsLongLong(items[i]);
            if ((v == -1 && LibPython.PyErr_Occurred() != 0) || v is < int.MinValue or > int.MaxValue)
            {
                LibPython.PyErr_Clear();
                return Py.SetError(LibPython.ExcOverflowError, v < 0 ? "signed integer is less than minimum" : "signed integer is greater than maximum");
            }

            f[i] = v;
        }

        // As C: tm_year is the year minus 1900 (an int); the result must fit a time_t and give a year C can hold.
        var days = LocalZone.DaysFromCivil(f[0], f[1], 1) + f[2] - 1;
        var local = (days * LocalZone.SecondsPerDay) + (f[3] * 3600) + (f[4] * 60) + f[5];
        var zone = Zone.Current;
        var utc = zone.ToUtc(local, f[8] < 0 ? -1 : f[8] > 0 ? 1 : 0);
        var year = zone.Local(utc).Year;
        return year - 1900 is < int.MinValue or > int.MaxValue
            ? Py.SetError(LibPython.ExcOverflowError, "mktime argument out of range")
            : LibPython.PyFloat_FromDouble(utc);
    }

    /// <summary>
    /// <c>clock_settime</c>: the runtime's clock is its TimeProvider, which Python does not set; the wall clocks answer
    /// EPERM, as Linux answers a process without CAP_SYS_TIME, and the others EINVAL, as Linux answers for any process.
    /// </summary>
    private nint ClockSet(string function, BridgeArgs args)
    {
        var clock = ClockOf(args, "time." + function);
        var value = Arg.Required(args, 1, "time");
        if (function == "clock_settime")
        {
            _ = Arg.Seconds(value);
        }
        else
        {
            _ = Arg.Long(value, "time");
        }

        if (clock != Clock.Realtime)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        TimeZoneLog.ClockSetRefused(_backend.Compatibility, function);
        throw new PythonIOException(Errno.EPERM, "Operation not permitted");
    }
}
