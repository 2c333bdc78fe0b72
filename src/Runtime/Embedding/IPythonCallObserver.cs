namespace PyHosting.Internal;

/// <summary>The outcome of one call, as reported to metrics and tracing.</summary>
internal enum PythonCallOutcome
{
    Ok,
    Error,
    Cancelled,
    Timeout,
}

/// <summary>Receives call notifications (implemented by the hosting layer for metrics and tracing).</summary>
internal interface IPythonCallObserver
{
    IPythonCallObservation OnCallStarting(string entryPoint);

    void OnPermissionDenied(string permissionKey);
}

/// <summary>One observed call.</summary>
internal interface IPythonCallObservation
{
    void Complete(PythonCallOutcome outcome, TimeSpan gilWait);
}
