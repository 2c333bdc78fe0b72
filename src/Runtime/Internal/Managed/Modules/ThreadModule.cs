using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>Patches <c>_thread</c>: starting a thread needs <c>Permissions:CreateThread</c> (3.11 raises no audit event for it).</summary>
internal static class ThreadModule
{
    public static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "allocate_lock", "allocate", "get_ident", "get_native_id", "stack_size", "_count", "_set_sentinel", "_excepthook",
        "_local", "LockType", "RLock", "_ExceptHookArgs", "error", "_is_main_interpreter", "daemon_threads_allowed",
    };

    public static int Patch(nint module)
    {
        foreach (var name in (ReadOnlySpan<string>)["start_new_thread", "start_new"])
        {
            var n = name;
            ModulePatcher.Replace(module, "_thread", n, args =>
            {
                ManagedBackend.Current.CheckCreateThread("starting a thread");
                return args.Forward(ModulePatcher.Original("_thread", n));
            });
        }

        ThreadStackFloor.Apply(module);
        ModulePatcher.Replace(module, "_thread", "interrupt_main", _ => throw new UnsupportedOperationException("_thread.interrupt_main is not supported by the managed backend"));
        ModulePatcher.DenyUnclassified(module, "_thread", n => ModulePatcher.Original("_thread", n) != 0);
        return 0;
    }
}
