namespace PyHosting.Internal;

/// <summary>
/// The state of the call running on the current thread (set while it holds the GIL): where its
/// output goes and the token that blocking bridge operations must observe.
/// </summary>
internal sealed class CallContext
{
    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static CallContext? t_current;

    [ThreadStatic]
    private static CallContext? t_spare;
    #pragma warning restore IDE1006

    public CallContext(OutputSink output, CancellationToken cancellationToken)
    {
        Output = output;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the context of the call on this thread, or <see langword="null"/> (a Python thread, or start-up).</summary>
    public static CallContext? Current => t_current;

    public OutputSink Output { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Gets or sets the call's emulated signals (its timers and pending signals), made when first needed; ended with the call.</summary>
    public Managed.State.CallSignals? Signals { get; set; }

    /// <summary>Gets the token a blocking wait of the call observes: its cancellation and, once it uses signals, their arrival.</summary>
    public CancellationToken WaitToken => Signals?.WaitToken(CancellationToken) ?? CancellationToken;

    /// <summary>
    /// Gets a context for a call on this thread: the thread's own, reused from call to call, unless a call already
    /// runs on it (a nested call gets a context of its own). Pair with <see cref="Return"/> once the call has left it.
    /// </summary>
    public static CallContext Rent(OutputSink output, CancellationToken cancellationToken)
    {
        var context = t_current is null ? t_spare : null;
        if (context is null)
        {
            return new CallContext(output, cancellationToken);
        }

        t_spare = null;
        context.Output = output;
        context.CancellationToken = cancellationToken;
        return context;
    }

    /// <summary>Keeps a context that no call uses any more for the thread's next call.</summary>
    public static void Return(CallContext context)
    {
        // The call's timers end with it (call's thread, GIL held): an alarm never fires into a later call.
        context.Signals?.Dispose();
        context.Signals = null;
        context.CancellationToken = default;
        t_spare = context;
    }

    public static CallContext? Enter(CallContext context)
    {
        var previous = t_current;
        t_current = context;
        return previous;
    }

    public static void Exit(CallContext? previous) => t_current = previous;
}
