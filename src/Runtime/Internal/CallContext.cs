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
    #pragma warning restore IDE1006

    public CallContext(OutputSink output, CancellationToken cancellationToken)
    {
        Output = output;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the context of the call on this thread, or <see langword="null"/> (a Python thread, or start-up).</summary>
    public static CallContext? Current => t_current;

    public OutputSink Output { get; }

    public CancellationToken CancellationToken { get; }

    public static CallContext? Enter(CallContext context)
    {
        var previous = t_current;
        t_current = context;
        return previous;
    }

    public static void Exit(CallContext? previous) => t_current = previous;
}
