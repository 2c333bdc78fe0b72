using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_thread</c>: starting a thread needs <c>Permissions:CreateThread</c> (3.11 raises no audit event for it);
/// <c>interrupt_main</c> is emulated without signalling the host (<see cref="SignalModule.InterruptMain"/>).
/// </summary>
internal sealed unsafe class ThreadModule
{
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;
    private readonly SignalModule _signal;

    /// <summary>Initializes a new instance of the <see cref="ThreadModule"/> class, under <paramref name="backend"/>'s permissions.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    /// <param name="signal">The managed <c>_signal</c>, whose recorded handlers <c>interrupt_main</c> runs.</param>
    public ThreadModule(ManagedBackend backend, ModulePatcher patcher, SignalModule signal)
    {
        _backend = backend;
        _patcher = patcher;
        _signal = signal;
    }

    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "allocate_lock", "allocate", "get_ident", "get_native_id", "stack_size", "_count", "_set_sentinel", "_excepthook",
        "_local", "LockType", "RLock", "_ExceptHookArgs", "error", "_is_main_interpreter", "daemon_threads_allowed",
    };

    /// <summary>
    /// The new thread (its identifier, as <c>start_new_thread</c> returned it) belongs to the call that started it: the
    /// signals it sends or arms go to that call. It cannot run Python before this: the GIL is still held here.
    /// </summary>
    private void AdoptedBy(nint thread)
    {
        if (thread == 0)
        {
            return;
        }

        var ident = ((delegate* unmanaged<nint, ulong>)Interop.LibPython.Export("PyLong_AsUnsignedLong"))(thread);
        if (Interop.LibPython.PyErr_Occurred() != 0)
        {
            Interop.LibPython.PyErr_Clear();
            return;
        }

        _signal.AdoptThread(ident);
    }

    public int Patch(nint module)
    {
        foreach (var name in (ReadOnlySpan<string>)["start_new_thread", "start_new"])
        {
            var n = name;
            _patcher.Replace(module, "_thread", n, "function, args, kwargs=None, /", args =>
            {
                _backend.CheckCreateThread("starting a thread");
                var thread = args.Forward(ModulePatcher.Original("_thread", n));
                AdoptedBy(thread);
                return thread;
            });
        }

        ThreadStackFloor.Apply(module, _backend, _patcher);
        _patcher.Replace(module, "_thread", "interrupt_main", "signum=2, /", _signal.InterruptMain);
        _patcher.DenyUnclassified(module, "_thread", n => ModulePatcher.Original("_thread", n) != 0);
        return 0;
    }
}
