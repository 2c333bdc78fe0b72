namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// The last step of the Managed backend's start-up, below Python: C functions that reach process-wide state
/// (the C locale, the real standard error, the GIL switch interval, a recursion limit the thread's stack cannot
/// hold) or that wait in C beyond the reach of the runtime's interrupt (locks, <c>SimpleQueue.get</c>, the import
/// lock) are replaced in their method definitions, so no copy of the module, saved or fresh, still has the
/// original; and CPython's saved copy of <c>sys</c> is brought up to date. It runs once, with
/// the GIL held, when the isolation script announces the <c>pyhosting.isolated</c> audit event at the end of
/// start-up, before any user code; the event has no effect afterwards.
/// Whether it ran is process-wide: the method definitions it patches are CPython's, one set per process.
/// </summary>
internal static class InterpreterSeal
{
    /// <summary>The private audit event raised by <c>pyhosting_isolate.py</c> when Python-level isolation is done.</summary>
    public const string Event = "pyhosting.isolated";

    private static int s_sealed;

    public static bool IsSealed => Volatile.Read(ref s_sealed) == 1;

    /// <summary>Applies the hardening. Throws when it cannot (the runtime must not start half-hardened).</summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref s_sealed, 1) == 1)
        {
            return;
        }

        SysHardening.Apply();
        LocaleHardening.Apply();
        BlockingWaits.Apply();
        ImportLock.Apply();
    }
}
