using System.Diagnostics;
using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Makes CPython's blocking lock and queue waits interruptible. A lock acquired twice by the only thread
/// that runs Python (<c>CreateThread=false</c>), an empty <c>SimpleQueue.get()</c> or a <c>threading.Event().wait()</c>
/// waits in C forever: the runtime's timeout and cancellation raise an asynchronous exception, which CPython
/// only delivers when Python bytecode runs, so the call never ended and its thread was lost. Every method of these
/// types that can wait is replaced: <c>lock.acquire</c>/<c>acquire_lock</c>/<c>__enter__</c>, <c>RLock.acquire</c>/<c>__enter__</c>
/// (positional or keyword arguments), <c>RLock._acquire_restore</c> (which <c>Condition</c> calls, and which waits with no
/// timeout at all) and <c>SimpleQueue.get</c>, by loops that wait in slices of <see cref="Slice"/> and, between slices,
/// run one empty Python function, which delivers a pending interrupt. What Python observes is otherwise unchanged: the
/// same results, timeouts and errors. The other methods of the three types never wait (<c>release</c>, <c>locked</c>,
/// <c>_at_fork_reinit</c>, <c>_release_save</c>, <c>_is_owned</c>, <c>put</c>, <c>get_nowait</c>, ...).
/// Its fields are process-wide: CPython's original C functions, replaced once per process, and two immortal helper objects.
/// </summary>
internal static unsafe class BlockingWaits
{
    /// <summary>The longest single wait in C, and so the longest delay before an interrupt is seen.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(50);

    private const int TpMethodsOffset = 232;
    private const int MethMethod = 0x200;
    private static nint s_lockAcquire;
    private static nint s_rlockAcquire;
    private static nint s_queueGet;
    private static nint s_rlockAcquireRestore;
    private static delegate* unmanaged<nint, long, int, int> s_acquireTimed;

    // rlockobject of CPython 3.11: PyObject_HEAD, then rlock_lock, rlock_owner, rlock_count (verified in Apply).
    private const int RLockLockOffset = 16;
    private const int RLockOwnerOffset = 24;
    private const int RLockCountOffset = 32;
    private static nint s_checkpoint;
    private static nint s_slice;

    public static void Apply()
    {
        s_checkpoint = Checkpoint();
        s_slice = LibPython.PyFloat_FromDouble(Slice.TotalSeconds);
        var thread = Py.Import("_thread") is var t && t != 0 ? t : throw new InvalidOperationException("_thread could not be imported");
        try
        {
            var keywordsCall = MethodDefinitions.MethVarArgs | MethodDefinitions.MethKeywords;
            s_lockAcquire = ReplaceAll(thread, "LockType", ["acquire", "acquire_lock", "__enter__"], keywordsCall, (nint)(delegate* unmanaged<nint, nint, nint, nint>)&LockAcquire);
            s_rlockAcquire = ReplaceAll(thread, "RLock", ["acquire", "__enter__"], keywordsCall, (nint)(delegate* unmanaged<nint, nint, nint, nint>)&RLockAcquire);
            s_acquireTimed = (delegate* unmanaged<nint, long, int, int>)LibPython.Export("PyThread_acquire_lock_timed");
            VerifyRLockLayout(thread);
            s_rlockAcquireRestore = ReplaceAll(thread, "RLock", ["_acquire_restore"], MethodDefinitions.MethVarArgs, (nint)(delegate* unmanaged<nint, nint, nint>)&RLockAcquireRestore);
        }
        finally
        {
            LibPython.Py_DecRef(thread);
        }

        var queue = Py.Import("_queue");
        if (queue == 0)
        {
            LibPython.PyErr_Clear();
            return;
        }

        try
        {
            s_queueGet = ReplaceAll(queue, "SimpleQueue", ["get"], MethMethod | MethodDefinitions.MethFastCall | MethodDefinitions.MethKeywords, (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&QueueGet);
        }
        finally
        {
            LibPython.Py_DecRef(queue);
        }
    }

    /// <summary>Checks where an <c>RLock</c> keeps its lock, owner and count, which <see cref="RLockAcquireRestore"/> writes.</summary>
    private static void VerifyRLockLayout(nint thread)
    {
        var type = Py.GetAttr(thread, "RLock");
        var rlock = type == 0 ? 0 : LibPython.PyObject_Call(type, LibPython.PyTuple_New(0), 0);
        if (type != 0)
        {
            LibPython.Py_DecRef(type);
        }

        if (rlock == 0)
        {
            throw new InvalidOperationException("an RLock could not be made");
        }

        try
        {
            var acquire = Py.GetAttr(rlock, "acquire");
            var result = acquire == 0 ? 0 : LibPython.PyObject_Call(acquire, LibPython.PyTuple_New(0), 0);
            var owned = result != 0 && *(ulong*)(rlock + RLockOwnerOffset) == LibPython.PyThread_get_thread_ident() && *(ulong*)(rlock + RLockCountOffset) == 1 && *(nint*)(rlock + RLockLockOffset) != 0;
            var held = owned && s_acquireTimed(*(nint*)(rlock + RLockLockOffset), 0, 0) == 0;
            foreach (var o in (ReadOnlySpan<nint>)[result, acquire])
            {
                if (o != 0)
                {
                    LibPython.Py_DecRef(o);
                }
            }

            if (!held)
            {
                throw new InvalidOperationException("the layout of RLock is not CPython 3.11's");
            }
        }
        finally
        {
            LibPython.PyErr_Clear();
            LibPython.Py_DecRef(rlock);
        }
    }

    /// <summary>
    /// <c>RLock._acquire_restore((count, owner))</c>: takes the lock whoever owns it, waiting in slices, then sets its
    /// owner and count as CPython's does. Arguments it cannot read go to the original, which raises the right error.
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint RLockAcquireRestore(nint self, nint args)
    {
        try
        {
            if (!TryReadState(args, out var count, out var owner))
            {
                LibPython.PyErr_Clear();
                return ((delegate* unmanaged<nint, nint, nint>)s_rlockAcquireRestore)(self, args);
            }

            var lockHandle = *(nint*)(self + RLockLockOffset);
            var sliceMicroseconds = (long)Slice.TotalMicroseconds;
            while (s_acquireTimed(lockHandle, 0, 0) != 1)
            {
                var saved = LibPython.PyEval_SaveThread();
                var taken = s_acquireTimed(lockHandle, sliceMicroseconds, 0);
                LibPython.PyEval_RestoreThread(saved);
                if (taken == 1)
                {
                    break;
                }

                if (!Interruptible())
                {
                    return 0;
                }
            }

            *(ulong*)(self + RLockOwnerOffset) = owner;
            *(ulong*)(self + RLockCountOffset) = count;
            return Py.NewNone();
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "RLock._acquire_restore failed in the managed backend");
        }
    }

    /// <summary>The length of a tuple (its <c>ob_size</c>).</summary>
    private static nint TupleSize(nint tuple) => *(nint*)(tuple + 16);

    /// <summary>Reads <c>((count, owner),)</c> of two ints; false (an error may be set) for anything else.</summary>
    private static bool TryReadState(nint args, out ulong count, out ulong owner)
    {
        count = owner = 0;
        if (args == 0 || TupleSize(args) != 1)
        {
            return false;
        }

        var state = *(nint*)(args + 24);
        if (!Py.IsInstanceOfFlag(state, Py.TpFlagsTupleSubclass) || TupleSize(state) != 2)
        {
            return false;
        }

        var c = *(nint*)(state + 24);
        var o = *(nint*)(state + 32);
        if (!Py.IsInstanceOfFlag(c, Py.TpFlagsLongSubclass) || !Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            return false;
        }

        count = ((delegate* unmanaged<nint, ulong>)LibPython.Export("PyLong_AsUnsignedLong"))(c);
        owner = ((delegate* unmanaged<nint, ulong>)LibPython.Export("PyLong_AsUnsignedLong"))(o);
        return LibPython.PyErr_Occurred() == 0;
    }

    /// <summary>
    /// Reads <c>(blocking=True, timeout=-1)</c> from positional and keyword arguments; false when they are not exactly
    /// that (too many, an unknown or repeated keyword), which the original then reports.
    /// </summary>
    private static bool TryReadAcquire(nint args, nint kwargs, out nint blocking, out nint timeout)
    {
        blocking = timeout = 0;
        var count = args == 0 ? 0 : TupleSize(args);
        if (count > 2)
        {
            return false;
        }

        blocking = count >= 1 ? *(nint*)(args + 24) : 0;
        timeout = count >= 2 ? *(nint*)(args + 32) : 0;
        if (kwargs == 0)
        {
            return true;
        }

        var found = 0;
        fixed (byte* b = "blocking\0"u8, t = "timeout\0"u8)
        {
            if (LibPython.PyDict_GetItemString(kwargs, b) is var kb && kb != 0)
            {
                if (blocking != 0)
                {
                    return false;
                }

                blocking = kb;
                found++;
            }

            if (LibPython.PyDict_GetItemString(kwargs, t) is var kt && kt != 0)
            {
                if (timeout != 0)
                {
                    return false;
                }

                timeout = kt;
                found++;
            }
        }

        return found == ((delegate* unmanaged<nint, nint>)LibPython.Export("PyDict_Size"))(kwargs);
    }

    /// <summary>Replaces the named methods of a type (they share one C function); returns that original.</summary>
    private static nint ReplaceAll(nint module, string typeName, string[] names, int flags, nint replacement)
    {
        var type = Py.GetAttr(module, typeName);
        if (type == 0)
        {
            throw new InvalidOperationException($"{typeName} not found");
        }

        try
        {
            nint original = 0;
            var methods = *(nint*)(type + TpMethodsOffset);
            foreach (var name in names)
            {
                var definition = FindMethod(methods, name);
                if (definition == 0)
                {
                    throw new InvalidOperationException($"{typeName}.{name} not found");
                }

                var replaced = MethodDefinitions.Replace(definition, flags, replacement);
                if (original != 0 && replaced != original && replaced != replacement)
                {
                    throw new InvalidOperationException($"{typeName}.{name} is not the same C function as {names[0]}");
                }

                original = original == 0 ? replaced : original;
            }

            return original;
        }
        finally
        {
            LibPython.Py_DecRef(type);
        }
    }

    private static nint FindMethod(nint methods, string name)
    {
        for (var p = methods; p != 0 && *(nint*)p != 0; p += 32)
        {
            if (Marshal.PtrToStringUTF8(*(nint*)p) == name)
            {
                return p;
            }
        }

        return 0;
    }

    /// <summary>An empty Python function: calling it runs the eval loop's check for pending interrupts.</summary>
    private static nint Checkpoint()
    {
        var code = LibPython.Py_CompileString((byte*)Marshal.StringToCoTaskMemUTF8("lambda: None"), (byte*)Marshal.StringToCoTaskMemUTF8("<pyhosting>"), 258);
        if (code == 0)
        {
            throw new InvalidOperationException("the checkpoint function could not be compiled");
        }

        var globals = LibPython.PyDict_New();
        var builtins = Py.Import("builtins");
        fixed (byte* key = "__builtins__\0"u8)
        {
            LibPython.PyDict_SetItemString(globals, key, builtins);
        }

        LibPython.Py_DecRef(builtins);
        var function = LibPython.PyEval_EvalCode(code, globals, globals);
        LibPython.Py_DecRef(code);
        LibPython.Py_DecRef(globals);
        return function != 0 ? function : throw new InvalidOperationException("the checkpoint function could not be made");
    }

    /// <summary>Runs the checkpoint; false (with the Python error set) when an interrupt was pending.</summary>
    internal static bool Interruptible()
    {
        var empty = LibPython.PyTuple_New(0);
        var result = LibPython.PyObject_Call(s_checkpoint, empty, 0);
        LibPython.Py_DecRef(empty);
        if (result == 0)
        {
            return false;
        }

        LibPython.Py_DecRef(result);
        return true;
    }

    [UnmanagedCallersOnly]
    private static nint LockAcquire(nint self, nint args, nint kwargs) => Acquire(s_lockAcquire, self, args, kwargs);

    [UnmanagedCallersOnly]
    private static nint RLockAcquire(nint self, nint args, nint kwargs) => Acquire(s_rlockAcquire, self, args, kwargs);

    /// <summary><c>acquire(blocking=True, timeout=-1)</c>: a blocking wait longer than a slice is cut into slices.</summary>
    private static nint Acquire(nint original, nint self, nint args, nint kwargs)
    {
        var call = (delegate* unmanaged<nint, nint, nint, nint>)original;
        try
        {
            if (!TryReadAcquire(args, kwargs, out var blockingObject, out var timeoutObject))
            {
                return call(self, args, kwargs); // bad arguments: the original's own error
            }

            // A truth test that raises is the original's error to report, not a wait.
            var truth = blockingObject == 0 ? 1 : LibPython.PyObject_IsTrue(blockingObject);
            var blocking = truth == 1;
            var timeout = timeoutObject == 0 || truth < 0 ? -1.0 : LibPython.PyFloat_AsDouble(timeoutObject);
            if (truth < 0 || LibPython.PyErr_Occurred() != 0)
            {
                // Arguments that do not convert: the original parses them and raises its own error.
                LibPython.PyErr_Clear();
                return call(self, args, kwargs);
            }

            if (!blocking || (timeout >= 0 && timeout <= Slice.TotalSeconds) || (timeout < 0 && timeout != -1.0) || !IsSliceable(timeout))
            {
                return call(self, args, kwargs);
            }

            #pragma warning disable RS0030 // a Python wait's own timeout is real time, as in CPython; only time.* follows the runtime's clock
            var deadline = timeout < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout * Stopwatch.Frequency);
            #pragma warning restore RS0030
            var sliced = Py.Tuple(Py.NewBool(true), NewSlice(deadline));
            while (true)
            {
                var result = call(self, sliced, 0);
                LibPython.Py_DecRef(sliced);
                #pragma warning disable RS0030 // the same real-time deadline
                if (result == 0 || result == LibPython.True || Stopwatch.GetTimestamp() >= deadline)
                #pragma warning restore RS0030
                {
                    return result;
                }

                LibPython.Py_DecRef(result);
                if (!Interruptible())
                {
                    return 0;
                }

                sliced = Py.Tuple(Py.NewBool(true), NewSlice(deadline));
            }
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "lock acquire failed in the managed backend");
        }
    }

    /// <summary><c>SimpleQueue.get(block=True, timeout=None)</c>: a blocking wait longer than a slice is cut into slices.</summary>
    [UnmanagedCallersOnly]
    private static nint QueueGet(nint self, nint cls, nint* args, nint nargs, nint kwnames)
    {
        var call = (delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)s_queueGet;
        try
        {
            var count = nargs & ~(1L << 63);
            var names = kwnames == 0 ? 0 : TupleSize(kwnames);
            if (count > 2)
            {
                return call(self, cls, args, nargs, kwnames);
            }

            nint blockObject = count >= 1 ? args[0] : 0, timeoutObject = count >= 2 ? args[1] : 0;
            for (var i = 0; i < names; i++)
            {
                var name = Py.ReadString(*(nint*)(kwnames + 24 + (i * 8)));
                ref var slot = ref (name == "block" ? ref blockObject : ref timeoutObject);
                if ((name != "block" && name != "timeout") || slot != 0)
                {
                    return call(self, cls, args, nargs, kwnames); // an unknown or repeated keyword: the original's own error
                }

                slot = args[count + i];
            }

            var truth = blockObject == 0 ? 1 : LibPython.PyObject_IsTrue(blockObject);
            var block = truth == 1;
            var noTimeout = timeoutObject == 0 || timeoutObject == LibPython.None;
            var timeout = noTimeout || truth < 0 ? -1.0 : LibPython.PyFloat_AsDouble(timeoutObject);
            if (truth < 0 || LibPython.PyErr_Occurred() != 0 || !block || (timeout < 0 && !noTimeout) || (timeout >= 0 && timeout <= Slice.TotalSeconds) || !IsSliceable(timeout))
            {
                // Not blocking for long, or arguments that do not convert: the original parses them and raises its own error.
                LibPython.PyErr_Clear();
                return call(self, cls, args, nargs, kwnames);
            }

            var empty = EmptyClass(cls);
            if (empty == 0)
            {
                return call(self, cls, args, nargs, kwnames);
            }

            try
            {
                #pragma warning disable RS0030 // a Python wait's own timeout is real time, as in CPython; only time.* follows the runtime's clock
                var deadline = timeout < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout * Stopwatch.Frequency);
                #pragma warning restore RS0030
                var sliceArgs = stackalloc nint[2];
                while (true)
                {
                    sliceArgs[0] = LibPython.True;
                    sliceArgs[1] = NewSlice(deadline);
                    var result = call(self, cls, sliceArgs, 2, 0);
                    LibPython.Py_DecRef(sliceArgs[1]);
                    if (result != 0)
                    {
                        return result;
                    }

                    #pragma warning disable RS0030 // the same real-time deadline
                    if (LibPython.PyErr_GivenExceptionMatches(LibPython.PyErr_Occurred(), empty) == 0 || Stopwatch.GetTimestamp() >= deadline)
                    #pragma warning restore RS0030
                    {
                        return 0;
                    }

                    LibPython.PyErr_Clear();
                    if (!Interruptible())
                    {
                        return 0;
                    }
                }
            }
            finally
            {
                LibPython.Py_DecRef(empty);
            }
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "SimpleQueue.get failed in the managed backend");
        }
    }

    /// <summary>The <c>Empty</c> exception of the <c>_queue</c> module that defined <paramref name="cls"/> (new reference), or 0.</summary>
    private static nint EmptyClass(nint cls)
    {
        var module = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyType_GetModule"))(cls);
        if (module == 0)
        {
            LibPython.PyErr_Clear();
            return 0;
        }

        // The module's C state (struct { SimpleQueueType; EmptyError; } in 3.11), not its attribute, which Python code can replace.
        var empty = Py.ModuleStateItem(module, 1);
        if (!Py.IsExceptionClass(empty))
        {
            return 0;
        }

        LibPython.Py_IncRef(empty);
        return empty;
    }

    /// <summary>
    /// Whether a timeout can be waited in slices: NaN and timeouts beyond CPython's largest (about 9.2·10⁹ s) go to
    /// the original, which refuses them at once (ValueError, OverflowError) without waiting.
    /// </summary>
    private static bool IsSliceable(double timeout) => !double.IsNaN(timeout) && timeout <= MaxTimeoutSeconds;

    /// <summary>CPython's <c>PY_TIMEOUT_MAX</c> on Linux (LLONG_MAX / 1000 µs) in seconds: <c>_thread.TIMEOUT_MAX</c> is its whole seconds.</summary>
    private const double MaxTimeoutSeconds = long.MaxValue / 1e9;

    /// <summary>A float of seconds: one slice, or less when the deadline is nearer.</summary>
    private static nint NewSlice(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            LibPython.Py_IncRef(s_slice);
            return s_slice;
        }

        #pragma warning disable RS0030 // the same real-time deadline
        var remaining = (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
        #pragma warning restore RS0030
        return LibPython.PyFloat_FromDouble(Math.Clamp(remaining, 0, Slice.TotalSeconds));
    }
}
