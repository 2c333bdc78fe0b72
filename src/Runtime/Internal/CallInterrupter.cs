using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal;

/// <summary>
/// The two ways to stop a call that an asynchronous <c>KeyboardInterrupt</c> does not stop.
/// </summary>
/// <remarks>
/// <para>
/// <b>Code running in C.</b> An asynchronous exception is delivered only by the evaluation loop, and the
/// interrupter needs the GIL to post it: a long regular-expression match or big-integer operation holds the
/// GIL without running bytecode. Such C code polls <c>PyErr_CheckSignals</c>, which CPython answers only on
/// its main thread. The interrupter therefore makes the call's thread CPython's main thread for the rest of
/// the call (<c>_PyRuntime.main_thread</c>, located and verified at start-up) and simulates a signal whose
/// Python-level handler is <c>signal.default_int_handler</c>. No operating-system handler is installed: the
/// signal's OS disposition is restored right after Python records the handler, and the signal is only ever
/// simulated (<c>PyErr_SetInterruptEx</c>). This needs no GIL. Calls interrupted at the same time take turns as the main thread.
/// </para>
/// <para>
/// <b>Code that swallows the interrupt</b> (<c>except BaseException: pass</c> in a loop). After a grace period
/// a C trace function is set on the call's thread state that raises <c>KeyboardInterrupt</c> on every
/// traced event, so no Python instruction can run until the call has unwound; it is removed when the call ends.
/// It depends on nothing Python code can change: CPython emits line and opcode events only for frames whose
/// <c>f_trace_lines</c>/<c>f_trace_opcodes</c> are set, and Python may clear those, so the trace function sets
/// both on the frame of every event it receives (a frame that was not running gets a call or exception event
/// before it runs again), and the interrupter sets them on every frame of the call's thread each time it
/// interrupts again, writing the frame object's fields directly (their offsets are verified at start-up).
/// </para>
/// <para>
/// What remains out of reach is C code that neither runs bytecode nor polls signals (for example
/// <c>collections.deque(itertools.count(), maxlen=0)</c>); CPython's own Ctrl+C cannot stop it either.
/// </para>
/// </remarks>
internal static unsafe partial class CallInterrupter
{
    private static readonly Lock Gate = new();
    private static ulong* s_mainThread;
    private static ulong s_originalMainThread;
    private static int s_signal;
    private static object? s_owner;
    private static nint s_install;
    private static nint s_handler;
    private static int s_dispatchSignal;
    private static nint s_dispatcher;
    private static delegate* unmanaged<int, int> s_setInterrupt;
    private static delegate* unmanaged<int> s_checkSignals;
    private static delegate* unmanaged<nint> s_currentThreadState;
    private static delegate* unmanaged<nint, delegate* unmanaged<nint, nint, int, nint, int>, nint, int> s_setTrace;
    private static delegate* unmanaged<nint, nint> s_threadStateFrame;
    private static delegate* unmanaged<nint, nint> s_frameBack;

    /// <summary>The offset of <c>f_trace_lines</c> in a frame object (<c>f_trace_opcodes</c> follows it), or 0 when it could not be verified.</summary>
    private static int s_traceFlagsOffset;

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static bool t_settingTrace;
    #pragma warning restore IDE1006

    /// <summary>Gets whether code running in C can be interrupted (the start-up checks passed).</summary>
    public static bool CanInterruptNativeCode => s_mainThread != null;

    /// <summary>Gets whether the current thread is the runtime setting or removing a call's trace function (the audit hook lets it through).</summary>
    public static bool IsSettingTrace => t_settingTrace;

    /// <summary>Returns the current thread state (GIL held).</summary>
    public static nint CurrentThreadState() => s_currentThreadState();

    /// <summary>Prepares both mechanisms. Runs once, on the thread that initialised CPython, GIL held.</summary>
    public static void Install(ILogger logger)
    {
        s_currentThreadState = (delegate* unmanaged<nint>)LibPython.Export("PyThreadState_Get");
        s_checkSignals = (delegate* unmanaged<int>)LibPython.Export("PyErr_CheckSignals");
        s_setTrace = (delegate* unmanaged<nint, delegate* unmanaged<nint, nint, int, nint, int>, nint, int>)LibPython.Export("_PyEval_SetTrace");
        s_threadStateFrame = (delegate* unmanaged<nint, nint>)LibPython.Export("PyThreadState_GetFrame");
        s_frameBack = (delegate* unmanaged<nint, nint>)LibPython.Export("PyFrame_GetBack");
        s_traceFlagsOffset = FindTraceFlags();
        if (s_traceFlagsOffset == 0)
        {
            Log.TraceFlagsUnavailable(logger);
        }

        var failure = InstallSignal();
        if (failure is not null)
        {
            Log.NativeInterruptUnavailable(logger, failure);
        }
    }

    /// <summary>
    /// Finds <c>f_trace_lines</c> and <c>f_trace_opcodes</c> in a frame object (CPython 3.11: bytes 44 and 45) by
    /// setting them through the frame type's own setters on a frame made for the purpose; 0 when they are not there.
    /// </summary>
    private static int FindTraceFlags()
    {
        const int Offset = 44;
        nint code;
        fixed (byte* source = "None\0"u8, name = "<pyhosting>\0"u8)
        {
            code = LibPython.Py_CompileString(source, name, 258);
        }

        var globals = LibPython.PyDict_New();
        var frame = code == 0 || globals == 0 ? 0 : ((delegate* unmanaged<nint, nint, nint, nint, nint>)LibPython.Export("PyFrame_New"))(s_currentThreadState(), code, globals, 0);
        try
        {
            if (frame == 0)
            {
                return 0;
            }

            var found = true;
            foreach (var (attribute, delta) in (ReadOnlySpan<(string, int)>)[("f_trace_lines", 0), ("f_trace_opcodes", 1)])
            {
                foreach (var value in (ReadOnlySpan<bool>)[true, false, true])
                {
                    fixed (byte* a = System.Text.Encoding.ASCII.GetBytes(attribute + "\0"))
                    {
                        found &= LibPython.PyObject_SetAttrString(frame, a, value ? LibPython.True : LibPython.False) == 0 && *(byte*)(frame + Offset + delta) == (value ? 1 : 0);
                    }
                }
            }

            return found ? Offset : 0;
        }
        finally
        {
            LibPython.PyErr_Clear();
            foreach (var o in (ReadOnlySpan<nint>)[frame, globals, code])
            {
                if (o != 0)
                {
                    LibPython.Py_DecRef(o);
                }
            }
        }
    }

    private static string? InstallSignal()
    {
        var ident = LibPython.PyThread_get_thread_ident();
        var runtime = (byte*)LibPython.Export("_PyRuntime");
        var mainInterpreter = ((delegate* unmanaged<nint>)LibPython.Export("PyInterpreterState_Main"))();
        var isMainThread = (delegate* unmanaged<int>)LibPython.Export("_PyOS_IsMainThread");

        // _PyRuntimeState keeps the main thread's ident 32 bytes after interpreters.main in 3.11; find it rather than trust the layout.
        ulong* field = null;
        for (var offset = 32; offset < 1024; offset += 8)
        {
            if (*(ulong*)(runtime + offset) == ident && *(nint*)(runtime + offset - 32) == mainInterpreter)
            {
                if (field != null)
                {
                    return "the main-thread field of _PyRuntime is ambiguous";
                }

                field = (ulong*)(runtime + offset);
            }
        }

        if (field == null || isMainThread() != 1)
        {
            return "the main-thread field of _PyRuntime was not found";
        }

        *field = ident ^ 1;
        var moved = isMainThread() == 0;
        *field = ident;
        if (!moved || isMainThread() != 1)
        {
            return "CPython does not read its main thread from the field found";
        }

        var signal = SignalNumber();
        var error = RegisterHandler(signal);
        if (error is not null)
        {
            return error;
        }

        s_setInterrupt = (delegate* unmanaged<int, int>)LibPython.Export("PyErr_SetInterruptEx");
        s_signal = signal;
        InstallDispatcher(signal - 1);
        s_originalMainThread = ident;
        s_mainThread = field;
        return null;
    }

    /// <summary>Finds the original <c>signal.signal</c> and <c>signal.default_int_handler</c> (kept for the life of the process) and registers the handler.</summary>
    private static string? RegisterHandler(int signal)
    {
        var module = Py.Import("_signal");
        if (module == 0)
        {
            LibPython.PyErr_Clear();
            return "the _signal module cannot be imported";
        }

        var install = ModulePatcher.Original("_signal", "signal");
        if (install != 0)
        {
            LibPython.Py_IncRef(install);
        }
        else
        {
            install = Py.GetAttr(module, "signal");
        }

        var handler = Py.GetAttr(module, "default_int_handler");
        LibPython.Py_DecRef(module);
        if (install == 0 || handler == 0)
        {
            LibPython.PyErr_Clear();
            return "signal.signal or signal.default_int_handler is missing";
        }

        s_install = install;
        s_handler = handler;
        return SetHandler(signal, s_handler);
    }

    /// <summary>
    /// Gives <paramref name="signal"/> the Python-level handler that runs a call's emulated signals
    /// (<see cref="Managed.State.CallSignals.Dispatch"/>), for <see cref="DeliverSignal"/>. Without it, emulated signals
    /// still interrupt blocking waits, but not Python code that never waits.
    /// </summary>
    private static void InstallDispatcher(int signal)
    {
        var dispatcher = Bridge.BridgeFunctions.Create("signal_dispatch", Bridge.BridgeSignature.Parse("signalnum, frame, /"), Managed.State.CallSignals.Dispatch);
        if (dispatcher != 0 && SetHandler(signal, dispatcher) is null)
        {
            s_dispatcher = dispatcher;
            s_dispatchSignal = signal;
            return;
        }

        LibPython.PyErr_Clear();
    }

    /// <summary>
    /// Makes the thread of a call whose emulated signal arrived (<paramref name="threadId"/>) CPython's main thread and
    /// simulates the dispatch signal: at its next check for signals, that thread runs the call's handlers. Needs no
    /// GIL. <paramref name="owner"/> gives the main thread back with <see cref="Release"/>.
    /// </summary>
    public static void DeliverSignal(object owner, ulong threadId)
    {
        if (s_mainThread == null || s_dispatchSignal == 0)
        {
            return;
        }

        lock (Gate)
        {
            // CPython sets the evaluation loop's breaker only when the thread that simulates the signal is its main
            // thread: be it for the simulation, then hand the role to the call's thread, which handles the signal at
            // its next check (a check that comes in between finds the breaker still set and checks again).
            s_owner = owner;
            Volatile.Write(ref *s_mainThread, LibPython.PyThread_get_thread_ident());
            s_setInterrupt(s_dispatchSignal);
            Volatile.Write(ref *s_mainThread, threadId);
        }
    }

    /// <summary>
    /// Registers the handler again after a fresh <c>_signal</c> module was executed (<c>_imp.create_builtin</c>):
    /// executing the module resets every Python-level handler from the OS dispositions. On the thread running
    /// the module's exec, GIL held.
    /// </summary>
    public static void OnSignalModuleExecuted()
    {
        if (s_mainThread == null)
        {
            return;
        }

        lock (Gate)
        {
            // signal.signal works on the main thread only: be it for the time of the call.
            var main = *s_mainThread;
            Volatile.Write(ref *s_mainThread, LibPython.PyThread_get_thread_ident());
            try
            {
                nint type, value, traceback;
                LibPython.PyErr_Fetch(&type, &value, &traceback);

                // signal.signal first handles pending signals and fails if one raises: a simulated signal meant for a
                // call being interrupted (re-sent within an interval). New ones wait for Gate, so a second try succeeds.
                if (SetHandler(s_signal, s_handler) is not null)
                {
                    _ = SetHandler(s_signal, s_handler);
                }

                if (s_dispatchSignal != 0 && SetHandler(s_dispatchSignal, s_dispatcher) is not null)
                {
                    _ = SetHandler(s_dispatchSignal, s_dispatcher);
                }

                LibPython.PyErr_Restore(type, value, traceback);
            }
            finally
            {
                Volatile.Write(ref *s_mainThread, main);
            }
        }
    }

    /// <summary>Gives the signal its Python-level handler, leaving the signal's OS disposition as it was. Main thread, GIL held.</summary>
    private static string? SetHandler(int signal, nint handler)
    {
        var disposition = stackalloc byte[512];
        if (SigAction(signal, null, disposition) != 0)
        {
            return "the signal's disposition cannot be read";
        }

        LibPython.Py_IncRef(handler);
        var args = Py.Tuple(LibPython.PyLong_FromLongLong(signal), handler);
        var previous = LibPython.PyObject_Call(s_install, args, 0);
        LibPython.Py_DecRef(args);

        // Python installed its C handler for the signal: put the process's disposition back, the signal is only ever simulated.
        var restored = SigAction(signal, disposition, null) == 0;
        if (previous == 0)
        {
            LibPython.PyErr_Clear();
            return "signal.signal refused the handler";
        }

        LibPython.Py_DecRef(previous);
        return restored ? null : "the signal's disposition cannot be restored";
    }

    private static int SignalNumber()
    {
        try
        {
            return CurrentSigRtMax();
        }
        catch (EntryPointNotFoundException)
        {
            return 64;
        }
    }

    /// <summary>
    /// Interrupts C code of the call running on <paramref name="threadId"/>: makes that thread CPython's main
    /// thread and simulates the signal. No GIL needed. Returns whether it did.
    /// </summary>
    public static bool InterruptNativeCode(object owner, ulong threadId)
    {
        if (s_mainThread == null)
        {
            return false;
        }

        lock (Gate)
        {
            // The last interrupter owns the main thread: when several calls are interrupted at once they take turns,
            // so the one that holds the GIL in C code is reached within an interval, whichever asked first.
            s_owner = owner;
            Volatile.Write(ref *s_mainThread, threadId);
            s_setInterrupt(s_signal);
            return true;
        }
    }

    /// <summary>
    /// Ends what <see cref="InterruptNativeCode"/> started for <paramref name="owner"/>: consumes a simulated
    /// signal not yet handled and gives the main thread back. On the call's thread, GIL held, after the last
    /// <see cref="InterruptNativeCode"/> for this owner.
    /// </summary>
    public static void Release(object owner)
    {
        lock (Gate)
        {
            if (!ReferenceEquals(s_owner, owner))
            {
                return;
            }

            nint type, value, traceback;
            LibPython.PyErr_Fetch(&type, &value, &traceback);
            if (s_checkSignals() != 0)
            {
                LibPython.PyErr_Clear();
            }

            LibPython.PyErr_Restore(type, value, traceback);
            Volatile.Write(ref *s_mainThread, s_originalMainThread);
            s_owner = null;
        }
    }

    /// <summary>Sets (or with <paramref name="on"/> false removes) the trace function that interrupts every line of <paramref name="threadState"/>. GIL held.</summary>
    public static void SetTrace(nint threadState, bool on)
    {
        t_settingTrace = true;
        try
        {
            if (s_setTrace(threadState, on ? &Interrupt : null, 0) != 0)
            {
                LibPython.PyErr_Clear();
            }
        }
        finally
        {
            t_settingTrace = false;
        }
    }

    /// <summary>
    /// Turns line and opcode events back on for every frame of <paramref name="threadState"/>'s stack, whatever Python
    /// code set (GIL held; the thread is not running Python meanwhile). Frame objects are made where missing.
    /// </summary>
    public static void TraceEveryFrame(nint threadState)
    {
        if (s_traceFlagsOffset == 0)
        {
            return;
        }

        // Frame objects made here are the runtime's, not the call's: a call that used up PythonRuntime:MemoryLimit cannot keep them from being made.
        using var exemption = PythonInterpreter.ExemptFromMemoryLimit();
        var frame = s_threadStateFrame(threadState);
        for (var depth = 0; frame != 0 && depth < 1_000_000; depth++)
        {
            EnableEvents(frame);
            var back = s_frameBack(frame);
            LibPython.Py_DecRef(frame);
            frame = back;
        }

        if (frame != 0)
        {
            LibPython.Py_DecRef(frame);
        }

        LibPython.PyErr_Clear();
    }

    private static void EnableEvents(nint frame)
    {
        var offset = s_traceFlagsOffset;
        if (frame != 0 && offset != 0)
        {
            *(byte*)(frame + offset) = 1;
            *(byte*)(frame + offset + 1) = 1;
        }
    }

    /// <summary>
    /// The trace function of a call that swallows its interrupt. It raises on every event, and turns line and opcode
    /// events on for the event's frame, so that the frame's next instruction, whatever it is, raises too.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int Interrupt(nint traceObject, nint frame, int what, nint arg)
    {
        EnableEvents(frame);
        Py.SetError(LibPython.ExcKeyboardInterrupt, "the call was interrupted");
        return -1;
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static partial int SigAction(int signal, byte* action, byte* oldAction);

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmax")]
    private static partial int CurrentSigRtMax();
}
