namespace PyHosting;

/// <summary>One call observed by an <see cref="IPythonRuntimeObserver"/>.</summary>
public interface IPythonCallObservation
{
    /// <summary>Called once when the call ends, on the thread that ran it.</summary>
    /// <param name="outcome">How the call ended.</param>
    /// <param name="gilWait">How long the call waited for Python's global interpreter lock.</param>
    void Complete(PythonCallOutcome outcome, TimeSpan gilWait);
}
