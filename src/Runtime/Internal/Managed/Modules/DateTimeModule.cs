using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_datetime</c>: <c>datetime.now</c> and <c>utcnow</c> read the C clock directly (not
/// <c>time.time</c>), so they are replaced in the type's dictionary by classmethods over the
/// provider's time. <c>date.today</c> already goes through <c>time.time</c>. What converts to or from local time
/// follows the runtime's zone (see the other part of this class).
/// </summary>
internal sealed unsafe partial class DateTimeModule
{
    private const int TpDictOffset = 264;
    private readonly ManagedBackend _backend;
    private bool _patched;
    private nint _datetimeType;

    /// <summary>Initializes a new instance of the <see cref="DateTimeModule"/> class, whose clock is <paramref name="backend"/>'s.</summary>
    /// <param name="backend">The backend.</param>
    public DateTimeModule(ManagedBackend backend) => _backend = backend;

    public int Patch(nint module)
    {
        if (_patched)
        {
            return 0;
        }

        var type = Py.GetAttr(module, "datetime");
        if (type == 0)
        {
            return -1;
        }

        var dict = *(nint*)(type + TpDictOffset);
        _datetimeType = type; // the reference is kept: the type lives as long as the interpreter
        Set(dict, "now", _backend.FunctionFor("datetime.now", "cls, /, tz=None", Now));
        Set(dict, "utcnow", _backend.FunctionFor("datetime.utcnow", "cls, /", UtcNow));
        PatchLocalTime(module, type, dict);
        LibPython.PyType_Modified(type);
        _patched = true;
        return 0;
    }

    private static void Set(nint dict, string name, nint function)
    {
        var method = LibPython.PyClassMethod_New(function);
        if (method == 0)
        {
            throw new InvalidOperationException($"datetime.{name} could not be replaced"); // the patch fails with ImportError
        }

        fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            LibPython.PyDict_SetItemString(dict, n, method);
        }

        LibPython.Py_DecRef(method);
    }

    private double Timestamp()
    {
        var now = _backend.Clock.GetUtcNow();
        return (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;
    }

    /// <summary>
    /// The class a call is for: the functions are classmethods of <c>datetime</c>, but the function itself can be
    /// taken from the type's dictionary (<c>__func__</c>) and called with anything.
    /// </summary>
    private nint ClassOf(BridgeArgs args, string function)
    {
        var cls = Arg.Required(args, 0, "cls");
        const ulong TypeSubclass = 1UL << 31;
        var isType = (Py.TypeFlags(Py.TypeOf(cls)) & TypeSubclass) != 0;
        return isType && ((delegate* unmanaged<nint, nint, int>)LibPython.Export("PyType_IsSubtype"))(cls, _datetimeType) != 0
            ? cls
            : throw new PythonArgumentException($"datetime.{function}() needs a subtype of datetime.datetime, not {Py.TypeName(cls)}");
    }

    private nint Now(BridgeArgs args)
    {
        var cls = ClassOf(args, "now");
        var tz = Arg.Optional(args, "tz");
        var fromTimestamp = Py.GetAttr(cls, "fromtimestamp");
        if (fromTimestamp == 0)
        {
            return 0;
        }

        if (tz != 0)
        {
            LibPython.Py_IncRef(tz);
        }

        var tuple = tz == 0 ? Py.Tuple(LibPython.PyFloat_FromDouble(Timestamp())) : Py.Tuple(LibPython.PyFloat_FromDouble(Timestamp()), tz);
        var result = Py.Call(fromTimestamp, tuple, 0, "fromtimestamp");
        LibPython.Py_DecRef(tuple);
        LibPython.Py_DecRef(fromTimestamp);
        return result;
    }

    private nint UtcNow(BridgeArgs args)
    {
        var fromTimestamp = Py.GetAttr(ClassOf(args, "utcnow"), "utcfromtimestamp");
        if (fromTimestamp == 0)
        {
            return 0;
        }

        var tuple = Py.Tuple(LibPython.PyFloat_FromDouble(Timestamp()));
        var result = Py.Call(fromTimestamp, tuple, 0, "utcfromtimestamp");
        LibPython.Py_DecRef(tuple);
        LibPython.Py_DecRef(fromTimestamp);
        return result;
    }
}
