using System.Diagnostics;
using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Makes CPython's blocking lock and queue waits interruptible. A lock acquired twice by the only thread
/// that runs Python (<c>CreateThread=false</c>), an empty <c>SimpleQueue.get()</c> or a <c>threading.Event().wait()</c>
/// waits in C forever: the runtime's timeout and cancellation raise an asynchronous exception, which CPython
/// only delivers when Python bytecode runs, so the call never ended and its thread was lost. The C functions of
/// <c>lock.acquire</c>, <c>RLock.acquire</c> (and their <c>__enter__</c>) and <c>SimpleQueue.get</c> are replaced by
/// loops that wait in slices of <see cref="Slice"/> and, between slices, run one empty Python function, which
/// delivers a pending interrupt. What Python observes is otherwise unchanged: the same results, timeouts and errors.
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
            var count = args == 0 ? 0 : *(nint*)(args + 16);
            var kwCount = kwargs == 0 ? 0 : ((delegate* unmanaged<nint, nint>)LibPython.Export("PyDict_Size"))(kwargs);
            if (count > 2 || kwCount > 0)
            {
                return call(self, args, kwargs); // keywords or bad arguments: the original's own handling
            }

            var truth = count < 1 ? 1 : LibPython.PyObject_IsTrue(*(nint*)(args + 24));
            var blocking = truth == 1;
            var timeout = count < 2 || truth < 0 ? -1.0 : LibPython.PyFloat_AsDouble(*(nint*)(args + 32));
            if (truth < 0 || (timeout == -1.0 && LibPython.PyErr_Occurred() != 0))
            {
                // Arguments that do not convert: the original parses them and raises its own error.
                LibPython.PyErr_Clear();
                return call(self, args, kwargs);
            }

            if (!blocking || (timeout >= 0 && timeout <= Slice.TotalSeconds) || (timeout < 0 && timeout != -1.0))
            {
                return call(self, args, kwargs);
            }

            var deadline = timeout < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout * Stopwatch.Frequency);
            var sliced = Py.Tuple(Py.NewBool(true), NewSlice(deadline));
            while (true)
            {
                var result = call(self, sliced, 0);
                LibPython.Py_DecRef(sliced);
                if (result == 0 || result == LibPython.True || Stopwatch.GetTimestamp() >= deadline)
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
            if (count > 2 || kwnames != 0)
            {
                return call(self, cls, args, nargs, kwnames);
            }

            var truth = count < 1 ? 1 : LibPython.PyObject_IsTrue(args[0]);
            var block = truth == 1;
            var timeout = count < 2 || truth < 0 || args[1] == LibPython.None ? -1.0 : LibPython.PyFloat_AsDouble(args[1]);
            if (truth < 0 || LibPython.PyErr_Occurred() != 0 || !block || timeout < 0 && count == 2 && args[1] != LibPython.None || (timeout >= 0 && timeout <= Slice.TotalSeconds))
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
                var deadline = timeout < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout * Stopwatch.Frequency);
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

                    if (LibPython.PyErr_GivenExceptionMatches(LibPython.PyErr_Occurred(), empty) == 0 || Stopwatch.GetTimestamp() >= deadline)
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

        var empty = Py.GetAttr(module, "Empty");
        if (empty == 0)
        {
            LibPython.PyErr_Clear();
        }

        return empty;
    }

    /// <summary>A float of seconds: one slice, or less when the deadline is nearer.</summary>
    private static nint NewSlice(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            LibPython.Py_IncRef(s_slice);
            return s_slice;
        }

        var remaining = (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
        return LibPython.PyFloat_FromDouble(Math.Clamp(remaining, 0, Slice.TotalSeconds));
    }
}
