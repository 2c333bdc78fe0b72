using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_signal</c>: the host's signal handlers and timers are never touched. <c>signal.signal</c>
/// records the handler (returned by <c>getsignal</c>) without installing it; <c>set_wakeup_fd</c> records a
/// virtual descriptor; <c>siginterrupt</c> is accepted and does nothing (no signal interrupts a call). Two signals
/// are emulated: when one of the runtime's children exits and a <c>SIGCHLD</c> handler is recorded, the signal's
/// number is written to the wakeup descriptor (what asyncio's child watchers wait for); <c>_thread.interrupt_main</c>
/// runs the recorded handler (<see cref="InterruptMain"/>). Raising, alarms, timers and masks are unsupported.
/// </summary>
internal sealed unsafe partial class SignalModule
{
    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "default_int_handler", "strsignal", "valid_signals", "Signals", "Handlers", "Sigmasks", "ItimerError", "struct_siginfo",
    };

    private const int SigChld = 17;
    private const int SigInt = 2;

    private readonly Dictionary<long, nint> _handlers = [];
    private readonly HashSet<long> _callable = [];
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
        _patcher.Replace(module, "_signal", "siginterrupt", "signalnum, flag, /", args =>
        {
            var number = Arg.Long(args, 0, "signalnum");
            if (number is < 1 or > 64)
            {
                throw new PythonArgumentException("signal number out of range", true);
            }

            Arg.Long(args, 1, "flag");
            CompatibilityLog.SignalInterruptIgnored(_backend.Compatibility, number);
            return Py.NewNone();
        });
        PatchTimers(module);
        _backend.ChildExited = ChildExited;
        _backend.SignalSelf = SignalSelf;
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

        // What CPython refuses: a handler that is neither callable nor SIG_IGN/SIG_DFL, and SIGKILL/SIGSTOP (EINVAL from sigaction).
        if (LibPython.PyCallable_Check(handler) != 1 && IntegerHandler(handler) is not (0 or 1))
        {
            throw new PythonArgumentException("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
        }

        if (number is SigKill or SigStop)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        CompatibilityLog.SignalHandlerRecorded(_backend.Compatibility, number);
        _backend.ChildSignals.HandlerChanged(number, handled: !IsDefaultHandler(handler));
        LibPython.Py_IncRef(handler);
        nint previous;
        var callable = LibPython.PyCallable_Check(handler) == 1;
        lock (_handlers)
        {
            _handlers.TryGetValue(number, out previous);
            _handlers[number] = handler;
            if (callable)
            {
                _callable.Add(number);
            }
            else
            {
                _callable.Remove(number);
            }

            if (!callable && IsIgnoreHandler(handler))
            {
                _ignored.Add(number);
            }
            else
            {
                _ignored.Remove(number);
            }
        }

        return previous != 0 ? previous : DefaultFor(args);
    }

    /// <summary>Whether <paramref name="handler"/> is <c>SIG_DFL</c> (the integer 0, or the <c>Handlers</c> member that is one).</summary>
    private static bool IsDefaultHandler(nint handler) => IntegerHandler(handler) == 0;

    /// <summary>Whether <paramref name="handler"/> is <c>SIG_IGN</c> (the integer 1, or the <c>Handlers</c> member that is one).</summary>
    private static bool IsIgnoreHandler(nint handler) => IntegerHandler(handler) == 1;

    /// <summary>The value of a handler that is an integer (<c>SIG_DFL</c>, <c>SIG_IGN</c>), or -1.</summary>
    private static long IntegerHandler(nint handler)
    {
        if (LibPython.PyCallable_Check(handler) != 0 || !Py.IsInstanceOfFlag(handler, Py.TpFlagsLongSubclass))
        {
            return -1;
        }

        var value = LibPython.PyLong_AsLongLong(handler);
        if (value == -1 && LibPython.PyErr_Occurred() != 0)
        {
            LibPython.PyErr_Clear();
        }

        return value;
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

    /// <summary>
    /// A child of the runtime exited: with a Python handler recorded for <c>SIGCHLD</c> and a wakeup descriptor set, the
    /// signal's number is written to it, as CPython's own signal handler does (the Python handler itself is not run).
    /// Runs on a pool thread, without the GIL; a full or closed descriptor loses the byte, as in CPython.
    /// </summary>
    private void ChildExited()
    {
        bool handled;
        lock (_handlers)
        {
            handled = _handlers.ContainsKey(SigChld) && _callable.Contains(SigChld);
        }

        if (handled && WriteWakeup(SigChld))
        {
            CompatibilityLog.SignalEmulated(_backend.Compatibility, "SIGCHLD: a child process exited, its signal number was written to the wakeup descriptor");
        }
    }

    /// <summary>Writes the signal's number to the wakeup descriptor, if one is set, as CPython's own signal handler does. Any thread, no GIL.</summary>
    private bool WriteWakeup(int signal)
    {
        var fd = Volatile.Read(ref _wakeupFd);
        if (fd < 0 || !_backend.Fds.TryGet(fd, out var file))
        {
            return false;
        }

        try
        {
            file!.Write([(byte)signal]);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // A full buffer or a descriptor closed meanwhile: the wake-up is lost, as CPython loses it.
            return false;
        }
    }

    /// <summary>
    /// <c>_thread.interrupt_main(signum)</c>: as if the signal arrived, without signalling the host process. On the
    /// main thread (<see cref="OnMainThread"/>), the handler recorded for the signal runs now (the default one,
    /// <c>default_int_handler</c>, raises <c>KeyboardInterrupt</c>); from another thread it is unsupported (the
    /// runtime cannot run a handler between two instructions of another thread). A signal whose handler is
    /// <c>SIG_DFL</c> or <c>SIG_IGN</c> does nothing.
    /// </summary>
    public nint InterruptMain(BridgeArgs args)
    {
        var number = Arg.Long(args, 0, "signum", SigInt);
        if (number is < 1 or > 64)
        {
            throw new PythonArgumentException("signal number out of range", true);
        }

        var handler = GetHandlerOf(number);
        if (handler == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            if (LibPython.PyCallable_Check(handler) != 1)
            {
                return Py.NewNone(); // SIG_DFL or SIG_IGN
            }

            if (OnMainThread())
            {
                CompatibilityLog.SignalEmulated(_backend.Compatibility, $"_thread.interrupt_main: the handler of signal {number} runs in the calling thread");
                var call = Py.Tuple(Py.NewInt(number), Py.NewNone());
                var result = Py.Call(handler, call, 0, "signal handler");
                LibPython.Py_DecRef(call);
                if (result == 0)
                {
                    throw new PythonErrorException();
                }

                LibPython.Py_DecRef(result);
                return Py.NewNone();
            }

            throw new UnsupportedOperationException("_thread.interrupt_main from a thread other than the main thread is not supported by the managed backend");
        }
        finally
        {
            LibPython.Py_DecRef(handler);
        }
    }

    /// <summary>
    /// Whether the calling thread counts as Python's main thread: <c>threading.main_thread()</c>, or a thread of the
    /// runtime's calls (a thread Python did not start, <c>threading._DummyThread</c>), where the host runs Python's code.
    /// </summary>
    private static bool OnMainThread()
    {
        var threading = Py.Import("threading");
        if (threading == 0)
        {
            throw new PythonErrorException();
        }

        var current = Py.GetAttr(threading, "current_thread");
        var main = Py.GetAttr(threading, "main_thread");
        var dummy = Py.GetAttr(threading, "_DummyThread");
        var thread = current == 0 ? 0 : LibPython.PyObject_CallNoArgs(current);
        var mainThread = main == 0 ? 0 : LibPython.PyObject_CallNoArgs(main);
        try
        {
            if (thread == 0 || mainThread == 0 || dummy == 0)
            {
                throw new PythonErrorException();
            }

            return thread == mainThread || LibPython.PyObject_IsInstance(thread, dummy) == 1;
        }
        finally
        {
            foreach (var o in (ReadOnlySpan<nint>)[threading, current, main, dummy, thread, mainThread])
            {
                LibPython.Py_DecRef(o);
            }
        }
    }

    /// <summary>
    /// The handler Python would report before any change: the original <c>getsignal</c> answer, except that <c>SIGINT</c>
    /// reports <c>default_int_handler</c> where the embedding installed none (None), as in a Python process. A new
    /// reference, or 0 with the error set.
    /// </summary>
    private static nint OriginalHandler(long number)
    {
        var original = ModulePatcher.Original("_signal", "getsignal");
        var tuple = Py.Tuple(Py.NewInt(number));
        var result = Py.Call(original, tuple, 0, "signal.getsignal");
        LibPython.Py_DecRef(tuple);
        if (number == SigInt && result != 0 && Py.IsNone(result))
        {
            var module = Py.Import("_signal");
            var handler = module == 0 ? 0 : Py.GetAttr(module, "default_int_handler");
            LibPython.Py_DecRef(module);
            if (handler == 0)
            {
                LibPython.PyErr_Clear();
                return result;
            }

            LibPython.Py_DecRef(result);
            return handler;
        }

        return result;
    }

    private nint GetHandlerOf(long number)
    {
        lock (_handlers)
        {
            if (_handlers.TryGetValue(number, out var handler))
            {
                LibPython.Py_IncRef(handler);
                return handler;
            }
        }

        return OriginalHandler(number);
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

    /// <summary>The handler Python would report before any change (<see cref="OriginalHandler"/>).</summary>
    private static nint DefaultFor(BridgeArgs args) => OriginalHandler(Arg.Long(args, 0, "signalnum"));
}
