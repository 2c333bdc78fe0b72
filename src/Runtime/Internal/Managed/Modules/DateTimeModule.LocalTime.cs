using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.TimeZones;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The local-time methods of <c>_datetime</c>, which call the C library's <c>localtime</c> directly (the host's zone):
/// <c>datetime.fromtimestamp</c> and <c>date.fromtimestamp</c> without a zone, <c>datetime.timestamp()</c> of a naive
/// datetime and <c>datetime.astimezone()</c> of a naive datetime or without a zone are computed in the runtime's zone
/// with CPython's own algorithms (its fold detection, its <c>local_to_seconds</c>); whatever involves only the given
/// <c>tzinfo</c> objects is left to the original methods, which the replacements call.
/// </summary>
internal sealed unsafe partial class DateTimeModule
{
    private const int HasTzInfoOffset = 24;
    private const int DataOffset = 25;
    private const int FoldOffset = 35;
    private const int TzInfoOffset = 40;
    private const int RoundHalfEven = 2;
    private const int MinYear = 1;
    private const int MaxYear = 9999;
    private const long MaxFoldSeconds = 24 * 3600;

    private nint _originalFromTimestamp;
    private nint _originalTimestamp;
    private nint _originalAstimezone;
    private nint _originalReplace;
    private nint _timezoneType;
    private nint _timedeltaType;
    private nint _utc;

    private LocalZone Zone => _backend.Modules.Time.Zone.Current;

    private void PatchLocalTime(nint module, nint type, nint dict)
    {
        _originalFromTimestamp = Keep(dict, "fromtimestamp");
        _originalTimestamp = Keep(dict, "timestamp");
        _originalAstimezone = Keep(dict, "astimezone");
        _originalReplace = Keep(dict, "replace");
        _timezoneType = Py.GetAttr(module, "timezone");
        _timedeltaType = Py.GetAttr(module, "timedelta");
        _utc = _timezoneType == 0 ? 0 : Py.GetAttr(_timezoneType, "utc");
        var date = Py.GetAttr(module, "date");
        if (_timezoneType == 0 || _timedeltaType == 0 || _utc == 0 || date == 0)
        {
            throw new InvalidOperationException("the types of _datetime could not be read"); // the patch fails with ImportError
        }

        Set(dict, "fromtimestamp", _backend.FunctionFor("datetime.fromtimestamp", "cls, /, timestamp, tz=None", FromTimestamp));
        SetMethod(dict, "timestamp", _backend.FunctionFor("datetime.timestamp", "self, /", Timestamp));
        SetMethod(dict, "astimezone", _backend.FunctionFor("datetime.astimezone", "self, /, tz=None", Astimezone));

        var dateDict = *(nint*)(date + TpDictOffset);
        Set(dateDict, "fromtimestamp", _backend.FunctionFor("date.fromtimestamp", "cls, timestamp, /", DateFromTimestamp));
        LibPython.PyType_Modified(date);
        LibPython.Py_DecRef(date);
    }

    /// <summary>The original descriptor of a method (a new reference, kept for the process: the type is static).</summary>
    private static nint Keep(nint dict, string name)
    {
        fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            var o = LibPython.PyDict_GetItemString(dict, n);
            if (o == 0)
            {
                throw new InvalidOperationException($"datetime.{name} could not be found");
            }

            LibPython.Py_IncRef(o);
            return o;
        }
    }

    /// <summary>Installs an instance method (a function that binds to the instance, as the C method descriptor did).</summary>
    private static void SetMethod(nint dict, string name, nint function)
    {
        var method = LibPython.PyInstanceMethod_New(function);
        LibPython.Py_DecRef(function);
        if (method == 0)
        {
            throw new InvalidOperationException($"datetime.{name} could not be replaced");
        }

        fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            LibPython.PyDict_SetItemString(dict, n, method);
        }

        LibPython.Py_DecRef(method);
    }

    private nint SelfOf(BridgeArgs args, string method)
    {
        var self = Arg.Required(args, 0, "self");
        return LibPython.PyObject_IsInstance(self, _datetimeType) == 1
            ? self
            : throw new PythonArgumentException($"descriptor '{method}' for 'datetime.datetime' objects doesn't apply to a '{Py.TypeName(self)}' object");
    }

    /// <summary><c>datetime.fromtimestamp(t)</c>: the local time of the runtime's zone, with <c>fold=1</c> for the second of two equal local times.</summary>
    private nint FromTimestamp(BridgeArgs args)
    {
        var cls = ClassOf(args, "fromtimestamp");
        var timestamp = Arg.Required(args, 1, "timestamp");
        var tz = Arg.Optional(args, "tz");
        if (tz != 0)
        {
            LibPython.Py_IncRef(cls);
            LibPython.Py_IncRef(timestamp);
            LibPython.Py_IncRef(tz);
            return Call(_originalFromTimestamp, Py.Tuple(cls, timestamp, tz));
        }

        long seconds, microseconds;
        if (((delegate* unmanaged<nint, long*, long*, int, int>)LibPython.Export("_PyTime_ObjectToTimeval"))(timestamp, &seconds, &microseconds, RoundHalfEven) < 0)
        {
            return 0;
        }

        var zone = Zone;
        var local = CheckedLocal(zone, seconds);
        var fields = Py.Tuple(
            Py.NewInt(local.Year), Py.NewInt(local.Month), Py.NewInt(local.Day), Py.NewInt(local.Hour), Py.NewInt(local.Minute),
            Py.NewInt(Math.Min(local.Second, 59)), Py.NewInt(microseconds), Py.NewNone());
        nint kwargs = 0;
        if (zone.IsFold(seconds))
        {
            kwargs = LibPython.PyDict_New();
            var one = Py.NewInt(1);
            fixed (byte* n = "fold\0"u8)
            {
                LibPython.PyDict_SetItemString(kwargs, n, one);
            }

            LibPython.Py_DecRef(one);
        }

        var result = Py.Call(cls, fields, kwargs, "datetime");
        LibPython.Py_DecRef(fields);
        if (kwargs != 0)
        {
            LibPython.Py_DecRef(kwargs);
        }

        return result;
    }

    /// <summary><c>date.fromtimestamp(t)</c>: the date of the local time (the timestamp rounded down, as CPython does).</summary>
    private nint DateFromTimestamp(BridgeArgs args)
    {
        var cls = Arg.Required(args, 0, "cls");
        var timestamp = Arg.Required(args, 1, "timestamp");
        long seconds;
        if (((delegate* unmanaged<nint, long*, int, int>)LibPython.Export("_PyTime_ObjectToTime_t"))(timestamp, &seconds, 0) < 0)
        {
            return 0;
        }

        var local = CheckedLocal(Zone, seconds);
        return Call(cls, Py.Tuple(Py.NewInt(local.Year), Py.NewInt(local.Month), Py.NewInt(local.Day)));
    }

    /// <summary><c>datetime.timestamp()</c>: a naive datetime is a local time of the runtime's zone (its fold picks between two).</summary>
    private nint Timestamp(BridgeArgs args)
    {
        var self = SelfOf(args, "timestamp");
        if (IsAware(self))
        {
            LibPython.Py_IncRef(self);
            return Call(_originalTimestamp, Py.Tuple(self));
        }

        var seconds = LocalToSeconds(Zone, self);
        return LibPython.PyFloat_FromDouble(seconds + (Microsecond(self) / 1e6));
    }

    /// <summary>
    /// <c>datetime.astimezone(tz=None)</c>: a naive datetime is first given the runtime's zone at that local time; with
    /// no <paramref name="args"/> zone, the result is in the runtime's zone at that instant (a fixed-offset timezone
    /// named by its abbreviation, as CPython makes it from <c>tm_gmtoff</c> and <c>tm_zone</c>).
    /// </summary>
    private nint Astimezone(BridgeArgs args)
    {
        var self = SelfOf(args, "astimezone");
        var tz = Arg.Optional(args, "tz");
        var zone = Zone;
        nint aware;
        if (IsAware(self) && !HasNoOffset(self))
        {
            if (tz != 0)
            {
                LibPython.Py_IncRef(self);
                LibPython.Py_IncRef(tz);
                return Call(_originalAstimezone, Py.Tuple(self, tz));
            }

            LibPython.Py_IncRef(self);
            aware = self;
        }
        else
        {
            var fixedZone = FixedZone(zone.At(LocalToSeconds(zone, self)));
            if (fixedZone == 0)
            {
                return 0;
            }

            aware = Replace(self, fixedZone);
            if (aware == 0)
            {
                return 0;
            }
        }

        if (tz != 0)
        {
            LibPython.Py_IncRef(tz);
            return Call(_originalAstimezone, Py.Tuple(aware, tz));
        }

        LibPython.Py_IncRef(_utc);
        var utc = Call(_originalAstimezone, Py.Tuple(aware, _utc));
        if (utc == 0)
        {
            return 0;
        }

        var local = FixedZone(zone.At(UtcSeconds(utc)));
        return local == 0 ? Release(utc) : Call(_originalAstimezone, Py.Tuple(utc, local));
    }

    private static nint Release(nint o)
    {
        LibPython.Py_DecRef(o);
        return 0;
    }

    /// <summary>
    /// Whether an aware datetime's <c>utcoffset()</c> is None (CPython then takes it as a naive, local time). Asked of
    /// tzinfo classes other than <c>timezone</c>, whose offset is never None; the original method asks again.
    /// </summary>
    private bool HasNoOffset(nint self)
    {
        if (Py.TypeOf(*(nint*)(self + TzInfoOffset)) == _timezoneType)
        {
            return false;
        }

        var utcoffset = Py.GetAttr(_datetimeType, "utcoffset");
        LibPython.Py_IncRef(self);
        var offset = utcoffset == 0 ? 0 : Call(utcoffset, Py.Tuple(self));
        LibPython.Py_DecRef(utcoffset);
        if (offset == 0)
        {
            throw new PythonErrorException();
        }

        LibPython.Py_DecRef(offset);
        return offset == LibPython.None;
    }

    private bool IsAware(nint self) => *(byte*)(self + HasTzInfoOffset) != 0 && *(nint*)(self + TzInfoOffset) != LibPython.None;

    private static int Microsecond(nint self)
    {
        var d = (byte*)(self + DataOffset);
        return (d[7] << 16) | (d[8] << 8) | d[9];
    }

    /// <summary>The seconds since the epoch of a UTC-aware datetime's fields (microseconds dropped, as CPython's <c>local_timezone</c> does).</summary>
    private static long UtcSeconds(nint utc)
    {
        var d = (byte*)(utc + DataOffset);
        var days = LocalZone.DaysFromCivil((d[0] << 8) | d[1], d[2], d[3]);
        return (days * LocalZone.SecondsPerDay) + (d[4] * 3600) + (d[5] * 60) + d[6];
    }

    /// <summary>
    /// CPython's <c>local_to_seconds</c>: solves local(u) = t for a naive datetime's fields, picking the earlier of two
    /// solutions for fold 0 and the later for fold 1, and, in a gap, the later or earlier reading for fold 0 and 1.
    /// </summary>
    private static long LocalToSeconds(LocalZone zone, nint self)
    {
        var d = (byte*)(self + DataOffset);
        var fold = *(byte*)(self + FoldOffset) != 0;
        var t = (LocalZone.DaysFromCivil((d[0] << 8) | d[1], d[2], d[3]) * LocalZone.SecondsPerDay) + (d[4] * 3600) + (d[5] * 60) + d[6];
        var a = Local(zone, t) - t;
        var u1 = t - a;
        var t1 = Local(zone, u1);
        long b;
        if (t1 == t)
        {
            var u2 = fold ? u1 + MaxFoldSeconds : u1 - MaxFoldSeconds;
            b = Local(zone, u2) - u2;
            if (a == b)
            {
                return u1;
            }
        }
        else
        {
            b = t1 - u1;
        }

        var u = t - b;
        var t2 = Local(zone, u);
        if (t2 == t)
        {
            return u;
        }

        if (t1 == t)
        {
            return u1;
        }

        return fold ? Math.Min(u1, u) : Math.Max(u1, u);
    }

    /// <summary>CPython's <c>local(u)</c>: the local seconds of a UTC time, refused (ValueError) when the local year leaves 1-9999.</summary>
    private static long Local(LocalZone zone, long utc)
    {
        var local = zone.LocalSeconds(utc);
        var year = LocalZone.Break(local, default).Year;
        return year is < MinYear or > MaxYear
            ? throw new PythonArgumentException($"year {year} is out of range", isValueError: true)
            : local;
    }

    private static LocalTime CheckedLocal(LocalZone zone, long seconds)
    {
        var local = zone.Local(seconds);
        return local.Year - 1900 is < int.MinValue or > int.MaxValue
            ? throw new Providers.PythonIOException(75, "Value too large for defined data type")
            : local;
    }

    /// <summary><c>timezone(timedelta(seconds=offset), abbreviation)</c>; a new reference or 0.</summary>
    private nint FixedZone(ZonePeriod period)
    {
        var delta = Call(_timedeltaType, Py.Tuple(Py.NewInt(0), Py.NewInt(period.Offset)));
        return delta == 0 ? 0 : Call(_timezoneType, Py.Tuple(delta, Py.NewString(period.Abbreviation)));
    }

    /// <summary>The original <c>datetime.replace(self, tzinfo=zone)</c>; takes the reference of <paramref name="zone"/>.</summary>
    private nint Replace(nint self, nint zone)
    {
        var kwargs = LibPython.PyDict_New();
        fixed (byte* n = "tzinfo\0"u8)
        {
            if (kwargs == 0 || LibPython.PyDict_SetItemString(kwargs, n, zone) < 0)
            {
                LibPython.Py_DecRef(zone);
                return kwargs == 0 ? 0 : Release(kwargs);
            }
        }

        LibPython.Py_DecRef(zone);
        LibPython.Py_IncRef(self);
        var args = Py.Tuple(self);
        var result = Py.Call(_originalReplace, args, kwargs, "datetime.replace");
        LibPython.Py_DecRef(args);
        LibPython.Py_DecRef(kwargs);
        return result;
    }

    /// <summary>Calls <paramref name="callable"/> with a tuple whose reference it takes; a new reference or 0.</summary>
    private static nint Call(nint callable, nint args)
    {
        var result = Py.Call(callable, args, 0, "datetime");
        LibPython.Py_DecRef(args);
        return result;
    }
}
