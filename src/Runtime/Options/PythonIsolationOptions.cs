namespace PyHosting;

/// <summary>Process isolation of the runtime (<c>PythonRuntime:Isolation</c>).</summary>
public sealed class PythonIsolationOptions
{
    /// <summary>The default of <see cref="CallGracePeriod"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultCallGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets where Python runs.</summary>
    /// <value>Defaults to <see cref="PythonIsolationMode.InProcess"/>.</value>
    public PythonIsolationMode Mode { get; set; } = PythonIsolationMode.InProcess;

    /// <summary>Gets or sets whether worker processes are confined by the operating system; ignored with <see cref="PythonIsolationMode.InProcess"/>.</summary>
    /// <value>Defaults to <see cref="PythonConfinement.Auto"/>.</value>
    public PythonConfinement Confinement { get; set; } = PythonConfinement.Auto;

    /// <summary>
    /// Gets or sets how long a call may go on after its timeout or cancellation before its worker is killed and
    /// replaced (<see cref="PythonIsolationMode.Process"/> only). The caller gets its <see cref="TimeoutException"/> or
    /// <see cref="OperationCanceledException"/> either way.
    /// </summary>
    /// <value>Defaults to <see cref="DefaultCallGracePeriod"/>; between zero and one minute.</value>
    public TimeSpan CallGracePeriod { get; set; } = DefaultCallGracePeriod;

    /// <summary>
    /// Gets or sets the number of calls after which a worker is replaced by a fresh one, which also discards its
    /// module state; <see langword="null"/> or zero to keep a worker until it fails.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public int? RecycleAfterCalls { get; set; }
}
