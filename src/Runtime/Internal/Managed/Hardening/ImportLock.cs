using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Makes waiting for the global import lock interruptible. <c>_imp.acquire_lock()</c> takes a process-wide
/// lock (importlib takes it briefly on every import) and waits for it in C without end: a call that took it
/// and returned left every later import on another thread hanging for good. The C function of
/// <c>_imp.acquire_lock</c> now takes the lock at once when it is free or already this thread's, and otherwise
/// waits in short slices with the GIL released, letting the runtime's timeout and cancellation through.
/// Its fields are process-wide: they hold CPython's original C functions, replaced once per process.
/// </summary>
internal static unsafe class ImportLock
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(10);
    private static nint s_acquire;
    private static nint s_lockHeld;

    public static void Apply()
    {
        var imp = Py.Import("_imp");
        if (imp == 0)
        {
            throw new InvalidOperationException("_imp could not be imported");
        }

        try
        {
            var definition = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyModule_GetDef"))(imp);
            var acquire = definition == 0 ? 0 : MethodDefinitions.Find(definition, "acquire_lock");
            var held = definition == 0 ? 0 : MethodDefinitions.Find(definition, "lock_held");
            if (acquire == 0 || held == 0 || (MethodDefinitions.Flags(held) & ~0x30) != MethodDefinitions.MethNoArgs)
            {
                throw new InvalidOperationException("_imp.acquire_lock or _imp.lock_held not found");
            }

            s_lockHeld = *(nint*)(held + 8);
            s_acquire = MethodDefinitions.Replace(acquire, MethodDefinitions.MethNoArgs, (nint)(delegate* unmanaged<nint, nint, nint>)&Acquire);
        }
        finally
        {
            LibPython.Py_DecRef(imp);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Acquire(nint self, nint unused)
    {
        try
        {
            var release = (delegate* unmanaged<int>)LibPython.Export("_PyImport_ReleaseLock");
            var reacquire = (delegate* unmanaged<void>)LibPython.Export("_PyImport_AcquireLock");
            while (true)
            {
                var held = ((delegate* unmanaged<nint, nint, nint>)s_lockHeld)(self, 0);
                if (held == 0)
                {
                    return 0;
                }

                LibPython.Py_DecRef(held);
                if (held != LibPython.True)
                {
                    // Free: with the GIL held nobody can take it first, so the original does not wait.
                    return ((delegate* unmanaged<nint, nint, nint>)s_acquire)(self, unused);
                }

                if (release() == 1)
                {
                    // This thread's own: put the level back, then take it once more (re-entrant, no wait).
                    reacquire();
                    return ((delegate* unmanaged<nint, nint, nint>)s_acquire)(self, unused);
                }

                var state = LibPython.PyEval_SaveThread();
                Thread.Sleep(Pause);
                LibPython.PyEval_RestoreThread(state);
                if (!BlockingWaits.Interruptible())
                {
                    return 0;
                }
            }
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "_imp.acquire_lock failed in the managed backend");
        }
    }
}
