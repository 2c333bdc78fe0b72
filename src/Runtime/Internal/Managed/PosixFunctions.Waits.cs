namespace PyHosting.Internal.Managed;

/// <summary>Blocking waits of the bridge (sleep, pipe reads, child waits, select), made without the GIL.</summary>
internal static class BridgeWait
{
    /// <summary>
    /// The runtime reports a call as cancelled when its own cancellation callback has recorded the request.
    /// Token callbacks run last-registered first, so a wait's callback (registered later) wakes Python before
    /// the runtime's has run: a cancelled wait gives it this long, without the GIL, before raising.
    /// </summary>
    private static readonly TimeSpan CancellationGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>An exception filter for <see cref="OperationCanceledException"/> out of a wait on <paramref name="token"/>: lets the runtime record the cancellation. Never catches.</summary>
    public static bool LetTheRuntimeSeeCancellation(CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            Thread.Sleep(CancellationGrace);
        }

        return false;
    }
}
