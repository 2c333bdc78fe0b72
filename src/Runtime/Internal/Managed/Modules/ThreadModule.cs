using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>Patches <c>_thread</c>: starting a thread needs <c>Permissions:CreateThread</c> (3.11 raises no audit event for it).</summary>
internal sealed class ThreadModule
{
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>Initializes a new instance of the <see cref="ThreadModule"/> class, under <paramref name="backend"/>'s permissions.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public ThreadModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "allocate_lock", "allocate", "get_ident", "get_native_id", "stack_size", "_count", "_set_sentinel", "_excepthook",
        "_local", "LockType", "RLock", "_ExceptHookArgs", "error", "_is_main_interpreter", "daemon_threads_allowed",
    };

    public int Patch(nint module)
    {
        foreach (var name in (ReadOnlySpan<string>)["start_new_thread", "start_new"])
        {
            var n = name;
            _patcher.Replace(module, "_thread", n, "function, args, kwargs=None, /", args =>
            {
                _backend.CheckCreateThread("starting a thread");
                return args.Forward(ModulePatcher.Original("_thread", n));
            });
        }

        ThreadStackFloor.Apply(module, _backend, _patcher);
        _patcher.Replace(module, "_thread", "interrupt_main", "*args, **kwargs", _ => throw new UnsupportedOperationException("_thread.interrupt_main is not supported by the managed backend"));
        _patcher.DenyUnclassified(module, "_thread", n => ModulePatcher.Original("_thread", n) != 0);
        return 0;
    }
}
