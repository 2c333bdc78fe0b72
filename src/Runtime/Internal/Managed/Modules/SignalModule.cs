using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_signal</c>: the host's signal handlers and timers are never touched. <c>signal.signal</c>
/// records the handler (returned by <c>getsignal</c>) without installing it; raising, alarms, timers and
/// masks are unsupported.
/// </summary>
internal static unsafe class SignalModule
{
    private static readonly Dictionary<long, nint> Handlers = [];

    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "default_int_handler", "strsignal", "valid_signals", "getitimer", "Signals", "Handlers", "Sigmasks", "ItimerError", "struct_siginfo",
    };

    public static int Patch(nint module)
    {
        ModulePatcher.Replace(module, "_signal", "signal", SetHandler);
        ModulePatcher.Replace(module, "_signal", "getsignal", GetHandler);
        ModulePatcher.DenyUnclassified(module, "_signal", n => ModulePatcher.Original("_signal", n) != 0);

        // Executing a _signal module resets Python's handlers: the one that interrupts calls running C code comes back.
        CallInterrupter.OnSignalModuleExecuted();
        return 0;
    }

    private static nint SetHandler(BridgeArgs args)
    {
        var number = Arg.Long(args, 0, "signalnum");
        var handler = args.Get(1, "handler");
        if (handler == 0)
        {
            throw new PythonArgumentException("signal() missing required argument 'handler' (pos 2)");
        }

        if (number is < 1 or > 64)
        {
            throw new PythonArgumentException("signal number out of range", true);
        }

        CompatibilityLog.SignalHandlerRecorded(ManagedBackend.Current.Compatibility, number);
        LibPython.Py_IncRef(handler);
        nint previous;
        lock (Handlers)
        {
            Handlers.TryGetValue(number, out previous);
            Handlers[number] = handler;
        }

        return previous != 0 ? previous : DefaultFor(args);
    }

    private static nint GetHandler(BridgeArgs args)
    {
        var number = Arg.Long(args, 0, "signalnum");
        lock (Handlers)
        {
            if (Handlers.TryGetValue(number, out var handler))
            {
                LibPython.Py_IncRef(handler);
                return handler;
            }
        }

        return DefaultFor(args);
    }

    /// <summary>The handler Python would report before any change: the original getsignal answer.</summary>
    private static nint DefaultFor(BridgeArgs args)
    {
        var original = ModulePatcher.Original("_signal", "getsignal");
        var tuple = Py.Tuple(Py.NewInt(Arg.Long(args, 0, "signalnum")));
        var result = LibPython.PyObject_Call(original, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result;
    }
}
