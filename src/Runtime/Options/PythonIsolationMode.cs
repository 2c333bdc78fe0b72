namespace PyHosting;

/// <summary>Where Python runs (<c>PythonRuntime:Isolation:Mode</c>).</summary>
public enum PythonIsolationMode
{
    /// <summary>One interpreter inside the host process, serialised by its global interpreter lock. The default.</summary>
    InProcess = 0,

    /// <summary>
    /// Python runs in a worker process that the runtime starts, owns, kills and replaces: a call that overruns its
    /// timeout or cancellation by <see cref="PythonIsolationOptions.CallGracePeriod"/>, or a crash of native code,
    /// costs the worker, never the host. Module state lives in the worker and is lost when it is replaced.
    /// </summary>
    Process = 1,
}
