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

    /// <summary>The default of <see cref="MaxQueuedCalls"/>: 1,000.</summary>
    public const int DefaultMaxQueuedCalls = 1000;

    /// <summary>
    /// Gets or sets the number of worker processes started with the runtime and kept running
    /// (<see cref="PythonIsolationMode.Process"/> only).
    /// </summary>
    /// <value>Defaults to 1; between 0 and <see cref="MaxWorkers"/>. With 0 the first call starts the first worker.</value>
    public int MinWorkers { get; set; } = 1;

    /// <summary>
    /// Gets or sets the largest number of worker processes: while every worker is busy and there are fewer than this, a
    /// call starts another one. Each worker is a CPython of its own, so CPU-bound calls from several callers use as
    /// many cores as there are workers; each has its own module state, and a call may land on any of them.
    /// </summary>
    /// <value>Defaults to 1 (one module state, as in process); at most 64. Set it to the number of cores for CPU-bound work.</value>
    public int MaxWorkers { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many calls may wait for a busy worker beyond one running call per worker; a call beyond that
    /// is refused at once with an <see cref="InvalidOperationException"/> naming this key.
    /// </summary>
    /// <value>Defaults to <see cref="DefaultMaxQueuedCalls"/>; zero refuses every call that would wait.</value>
    public int MaxQueuedCalls { get; set; } = DefaultMaxQueuedCalls;

    /// <summary>
    /// Gets the modules each worker imports when it starts, before it serves a call, so that the first calls do not pay
    /// for the imports (<c>PythonRuntime:Isolation:Preload</c>). A module that fails to import fails the worker's start.
    /// </summary>
    public IList<string> Preload { get; } = [];
}
