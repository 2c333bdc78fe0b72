using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_signal</c>: the host's signal handlers and timers are never touched. <c>signal.signal</c>
/// records the handler (returned by <c>getsignal</c>) without installing it; <c>set_wakeup_fd</c> records a
/// virtual descriptor (no signal is ever delivered to it); raising, alarms, timers and masks are unsupported.
/// </summary>
internal sealed unsafe class SignalModule
{
    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "default_int_handler", "strsignal", "valid_signals", "getitimer", "Signals", "Handlers", "Sigmasks", "ItimerError", "struct_siginfo",
    };

    private readonly Dictionary<long, nint> _handlers = [];
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;
    private int _wakeupFd = -1;

    /// <summary>Initializes a new instance of the <see cref="SignalModule"/> class, recording handlers for <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public SignalModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    public int Patch(nint module)
    {
        _patcher.Replace(module, "_signal", "signal", "signalnum, handler, /", SetHandler);
        _patcher.Replace(module, "_signal", "getsignal", "signalnum, /", GetHandler);
        _patcher.Replace(module, "_signal", "set_wakeup_fd", "fd, /, *, warn_on_full_buffer=True", SetWakeupFd);
        _patcher.DenyUnclassified(module, "_signal", n => ModulePatcher.Original("_signal", n) != 0);

        // Executing a _signal module resets Python's handlers: the one that interrupts calls running C code comes back.
        CallInterrupter.OnSignalModuleExecuted();
        return 0;
    }

    private nint SetHandler(BridgeArgs args)
    {
        var number = Arg.Long(args, 0, "signalnum");
        var handler = Arg.Required(args, 1, "handler");

        if (number is < 1 or > 64)
        {
            throw new PythonArgumentException("signal number out of range", true);
        }

        CompatibilityLog.SignalHandlerRecorded(_backend.Compatibility, number);
        _backend.ChildSignals.HandlerChanged(number, handled: !IsDefaultHandler(handler));
        LibPython.Py_IncRef(handler);
        nint previous;
        lock (_handlers)
        {
            _handlers.TryGetValue(number, out previous);
            _handlers[number] = handler;
        }

        return previous != 0 ? previous : DefaultFor(args);
    }

    /// <summary>Whether <paramref name="handler"/> is <c>SIG_DFL</c> (the integer 0, or the <c>Handlers</c> member that is one).</summary>
    private static bool IsDefaultHandler(nint handler)
    {
        if (LibPython.PyCallable_Check(handler) != 0 || !Py.IsInstanceOfFlag(handler, Py.TpFlagsLongSubclass))
        {
            return false;
        }

        var value = LibPython.PyLong_AsLongLong(handler);
        if (value == -1 && LibPython.PyErr_Occurred() != 0)
        {
            LibPython.PyErr_Clear();
        }

        return value == 0;
    }

    /// <summary>
    /// Records the descriptor asyncio and others give for signal wake-ups: it must be one of the runtime's and
    /// non-blocking, as CPython checks; -1 clears it. Returns the previous one.
    /// </summary>
    private nint SetWakeupFd(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        if (fd != -1)
        {
            if (!_backend.Fds.TryGet(fd, out var file))
            {
                throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            }

            if (file!.Blocking)
            {
                throw new PythonArgumentException($"the fd {fd} must be in non-blocking mode", isValueError: true);
            }
        }

        return Py.NewInt(Interlocked.Exchange(ref _wakeupFd, fd));
    }

    private nint GetHandler(BridgeArgs args)
    {
        var number = Arg.Long(args, 0, "signalnum");
        lock (_handlers)
        {
            if (_handlers.TryGetValue(number, out var handler))
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
        var result = Py.Call(original, tuple, 0, "signal.getsignal");
        LibPython.Py_DecRef(tuple);
        return result;
    }
}
