namespace PyHosting;

/// <summary>
/// A Python runtime as <see cref="PythonRuntimeFactory"/> creates it, for the host that owns it: started
/// once and stopped once, when the host starts and stops. Applications resolve <see cref="IPythonRuntime"/>
/// from dependency injection instead.
/// </summary>
/// <remarks>
/// CPython can be initialised once per process: a stopped runtime cannot be started again, and neither
/// can a second one.
/// </remarks>
public interface IStartablePythonRuntime : IPythonRuntime
{
    /// <summary>Gets a value indicating whether the runtime has started and not stopped.</summary>
    bool IsStarted { get; }

    /// <summary>
    /// Gets the bytes Python's heap holds, as counted for <see cref="PythonRuntimeOptions.MemoryLimit"/>;
    /// <see langword="null"/> before the start, and when there is no limit (then nothing is counted).
    /// </summary>
    long? MemoryUsage { get; }

    /// <summary>Starts the interpreter and checks the registered native extensions; does nothing when already started. Blocks until done.</summary>
    /// <exception cref="PythonStartupException">The interpreter could not be found or started, or a native extension is missing or not loadable.</exception>
    void Start();

    /// <summary>
    /// Stops the runtime: flushes Python's output and detaches from the interpreter, which is never
    /// finalised. Waits a bounded time for a call that cannot be interrupted; does nothing when not started.
    /// </summary>
    void Stop();
}
