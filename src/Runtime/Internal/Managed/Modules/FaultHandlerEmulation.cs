using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The managed backend's <c>faulthandler</c> (the built-in one starts a watchdog thread, installs signal handlers and
/// writes to real descriptors, and stays out of the inittab): a Python module (<c>pyhosting_faulthandler.py</c>)
/// that formats the calling thread's stack from the frames Python can see and writes it to the runtime's descriptors.
/// It reaches the host only through this class, which logs its use in the compatibility category.
/// </summary>
internal static unsafe class FaultHandlerEmulation
{
    private static readonly HashSet<string> Noted = new(StringComparer.Ordinal) { "enable", "dump_traceback", "dump_traceback_later", "register" };

    /// <summary>Builds the <c>(source, note)</c> pair the start-up finder uses to make the module (a new reference, or 0 with the Python error set).</summary>
    public static nint Create(ManagedBackend backend)
    {
        var note = backend.FunctionFor("faulthandler._note", "function, number, /", args => Note(backend, args));
        LibPython.Py_IncRef(note);
        return Py.Tuple(Py.NewString(EmbeddedPython.Source("pyhosting_faulthandler.py")), note);
    }

    /// <summary>Logs one use of the emulation; only the functions it names, with a descriptor or signal number.</summary>
    private static nint Note(ManagedBackend backend, BridgeArgs args)
    {
        var function = Arg.StringOrBytes(Arg.Required(args, 0, "function"), "function");
        if (!Noted.Contains(function))
        {
            throw new PythonArgumentException("function: not a function of the managed faulthandler", isValueError: true);
        }

        var number = Arg.Long(args, 1, "number");
        CompatibilityLog.FaultHandlerEmulated(backend.Compatibility, function, number);
        return Py.NewNone();
    }
}
