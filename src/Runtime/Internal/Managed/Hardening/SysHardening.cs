using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Hardens <c>sys</c> below its module object. <c>sys</c> is a single-phase module: CPython keeps a copy of
/// its dictionary from start-up and <c>_imp.create_builtin(spec('sys'))</c> writes that copy back over the
/// live module, which restored the original <c>setrecursionlimit</c> (uncapped: deep recursion through C then
/// overflowed the thread's stack and killed the host). So: the C function of <c>setrecursionlimit</c> itself
/// caps the limit to what the calling thread's stack holds; <c>setswitchinterval</c> is capped at
/// <see cref="MaxSwitchInterval"/> (a thread that keeps the GIL for hours also keeps the host's interrupt
/// from ever being raised, so a busy loop could no longer be stopped); <c>_debugmallocstats</c>, which writes
/// to the process's real standard error, is unsupported; <c>settrace(None)</c> and <c>setprofile(None)</c> change nothing;
/// and the saved copy is refreshed from the live module
/// once the Managed backend has finished it, so a restore gives back the managed state.
/// Its fields are process-wide: they hold CPython's original C functions, replaced once per process.
/// </summary>
internal static unsafe class SysHardening
{
    private const int ModuleDefCopyOffset = 32; // PyModuleDef_Base: ob_refcnt, ob_type, m_init, m_index, m_copy
    /// <summary>The longest GIL switch interval Python may set (CPython's default is 5 ms).</summary>
    public const double MaxSwitchInterval = 0.05;

    private static nint s_setRecursionLimit;
    private static nint s_setTrace;
    private static nint s_setProfile;
    private static nint s_setSwitchInterval;

    public static void Apply()
    {
        var sys = Py.Import("sys");
        if (sys == 0)
        {
            throw new InvalidOperationException("sys could not be imported");
        }

        try
        {
            var definition = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyModule_GetDef"))(sys);
            var copy = definition == 0 ? 0 : *(nint*)(definition + ModuleDefCopyOffset);
            if (copy == 0)
            {
                throw new InvalidOperationException("CPython kept no copy of sys");
            }

            // The live attribute is the Managed backend's bridge function: the original lives in the copy.
            var original = MethodDefinitions.Of(GetItem(copy, "setrecursionlimit"));
            var stats = MethodDefinitions.Of(GetItem(copy, "_debugmallocstats"));
            var switchInterval = MethodDefinitions.Of(GetItem(copy, "setswitchinterval"));
            if (original == 0 || stats == 0 || switchInterval == 0)
            {
                throw new InvalidOperationException("sys.setrecursionlimit, setswitchinterval or _debugmallocstats is not a built-in function");
            }

            var setTrace = MethodDefinitions.Of(GetItem(copy, "settrace"));
            var setProfile = MethodDefinitions.Of(GetItem(copy, "setprofile"));
            if (setTrace == 0 || setProfile == 0)
            {
                throw new InvalidOperationException("sys.settrace or setprofile is not a built-in function");
            }

            s_setTrace = MethodDefinitions.Replace(setTrace, MethodDefinitions.MethO, (nint)(delegate* unmanaged<nint, nint, nint>)&SetTrace);
            s_setProfile = MethodDefinitions.Replace(setProfile, MethodDefinitions.MethO, (nint)(delegate* unmanaged<nint, nint, nint>)&SetProfile);
            s_setRecursionLimit = MethodDefinitions.Replace(original, MethodDefinitions.MethO, (nint)(delegate* unmanaged<nint, nint, nint>)&SetRecursionLimit);
            s_setSwitchInterval = MethodDefinitions.Replace(switchInterval, MethodDefinitions.MethO, (nint)(delegate* unmanaged<nint, nint, nint>)&SetSwitchInterval);
            MethodDefinitions.Replace(stats, MethodDefinitions.MethNoArgs, (nint)(delegate* unmanaged<nint, nint, nint>)&DebugMallocStats);
            Refresh(copy, LibPython.PyModule_GetDict(sys));
        }
        finally
        {
            LibPython.Py_DecRef(sys);
        }
    }

    /// <summary>Writes the live values over the saved copy, for the names the copy has.</summary>
    private static void Refresh(nint copy, nint live)
    {
        var getItem = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PyDict_GetItem");
        nint position = 0, key, value;
        var updates = new List<(nint Key, nint Value)>();
        while (LibPython.PyDict_Next(copy, &position, &key, &value) != 0)
        {
            var current = getItem(live, key);
            if (current != 0 && current != value)
            {
                updates.Add((key, current));
            }
        }

        foreach (var (k, v) in updates)
        {
            if (LibPython.PyDict_SetItem(copy, k, v) < 0)
            {
                throw new InvalidOperationException("the saved copy of sys could not be refreshed");
            }
        }
    }

    private static nint GetItem(nint dict, string name)
    {
        fixed (byte* n = System.Text.Encoding.UTF8.GetBytes(name + "\0"))
        {
            return LibPython.PyDict_GetItemString(dict, n);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SetRecursionLimit(nint self, nint limit)
    {
        try
        {
            var requested = LibPython.PyLong_AsLongLong(limit);
            if (requested == -1 && LibPython.PyErr_Occurred() != 0)
            {
                // Not an int (or out of range): the original raises the right TypeError or OverflowError.
                LibPython.PyErr_Clear();
                return ((delegate* unmanaged<nint, nint, nint>)s_setRecursionLimit)(self, limit);
            }

            var cap = RecursionBudget.SafeLimit(ManagedStartup.MaxRecursionLimit);
            if (requested <= cap)
            {
                return ((delegate* unmanaged<nint, nint, nint>)s_setRecursionLimit)(self, limit);
            }

            if (PythonInterpreter.Backend is ManagedBackend backend)
            {
                CompatibilityLog.RecursionLimitCappedToStack(backend.Compatibility, requested, cap);
            }

            var capped = LibPython.PyLong_FromLongLong(cap);
            var result = ((delegate* unmanaged<nint, nint, nint>)s_setRecursionLimit)(self, capped);
            LibPython.Py_DecRef(capped);
            return result;
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "setrecursionlimit failed in the managed backend");
        }
    }

    /// <summary>
    /// <c>sys.settrace(None)</c> succeeds and changes nothing: no trace function of Python's can be set (the audit hook
    /// refuses one), so there is none to remove, and the one the runtime sets to stop a call must stay. Code that saves
    /// <c>sys.gettrace()</c> and restores it in a <c>finally</c> block (doctest, coverage tools) then goes on; any other
    /// argument goes to the original, which the audit hook refuses.
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint SetTrace(nint self, nint function)
        => function == LibPython.None ? Py.NewNone() : ((delegate* unmanaged<nint, nint, nint>)s_setTrace)(self, function);

    /// <summary><c>sys.setprofile(None)</c>, as <see cref="SetTrace"/>.</summary>
    [UnmanagedCallersOnly]
    private static nint SetProfile(nint self, nint function)
        => function == LibPython.None ? Py.NewNone() : ((delegate* unmanaged<nint, nint, nint>)s_setProfile)(self, function);

    [UnmanagedCallersOnly]
    private static nint SetSwitchInterval(nint self, nint interval)
    {
        try
        {
            var requested = LibPython.PyFloat_AsDouble(interval);
            if ((requested == -1.0 && LibPython.PyErr_Occurred() != 0) || requested <= MaxSwitchInterval)
            {
                // Not a number, or within the cap (negative included): the original answers and raises its own errors.
                // NaN and infinity compare false and are capped.
                LibPython.PyErr_Clear();
                return ((delegate* unmanaged<nint, nint, nint>)s_setSwitchInterval)(self, interval);
            }

            if (PythonInterpreter.Backend is ManagedBackend backend)
            {
                CompatibilityLog.SwitchIntervalCapped(backend.Compatibility, requested, MaxSwitchInterval);
            }

            var capped = LibPython.PyFloat_FromDouble(MaxSwitchInterval);
            var result = ((delegate* unmanaged<nint, nint, nint>)s_setSwitchInterval)(self, capped);
            LibPython.Py_DecRef(capped);
            return result;
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "setswitchinterval failed in the managed backend");
        }
    }

    [UnmanagedCallersOnly]
    private static nint DebugMallocStats(nint self, nint unused)
    {
        try
        {
            return MethodDefinitions.Unsupported("sys._debugmallocstats", "it writes to the host process's standard error");
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcOSError, "sys._debugmallocstats is not supported by the managed backend");
        }
    }
}
