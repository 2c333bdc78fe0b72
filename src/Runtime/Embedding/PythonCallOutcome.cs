namespace PyHosting;

/// <summary>How a call of <see cref="IPythonRuntime"/> ended, as reported to an <see cref="IPythonRuntimeObserver"/>.</summary>
public enum PythonCallOutcome
{
    /// <summary>The call completed, including a <c>sys.exit()</c> with a successful status.</summary>
    Ok,

    /// <summary>The call failed: a Python exception, or a result that could not be converted.</summary>
    Error,

    /// <summary>The caller's cancellation token interrupted the call.</summary>
    Cancelled,

    /// <summary><see cref="PythonRuntimeOptions.ExecutionTimeout"/> interrupted the call.</summary>
    Timeout,
}
