namespace PyHosting;

/// <summary>Whether worker processes are confined by the operating system (<c>PythonRuntime:Isolation:Confinement</c>).</summary>
public enum PythonConfinement
{
    /// <summary>Confine each worker when the machine allows it (bubblewrap and user namespaces on Linux); otherwise log a warning and run it unconfined. The default.</summary>
    Auto = 0,

    /// <summary>Confine each worker, and refuse to start the runtime when the machine cannot.</summary>
    Required = 1,

    /// <summary>Never confine: a worker sees what the host process sees, and only the permission checks and the process boundary apply.</summary>
    None = 2,
}
