namespace PyHosting.Hosting.Diagnostics;

/// <summary>
/// Names of the metrics the Python runtime publishes through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>,
/// for example to subscribe with OpenTelemetry's <c>AddMeter(PythonRuntimeMetrics.MeterName)</c>
/// or <c>dotnet-counters monitor --counters PyHosting.Runtime</c>.
/// </summary>
/// <remarks>
/// Every call of <c>IPythonRuntime</c> (<c>ExecuteAsync</c>, <c>EvaluateAsync</c>, <c>InvokeAsync</c>,
/// <c>RunFileAsync</c>) counts as one execution, health probes included.
/// </remarks>
public static class PythonRuntimeMetrics
{
    /// <summary>The name of the meter: <c>PyHosting.Runtime</c>.</summary>
    public const string MeterName = "PyHosting.Runtime";

    /// <summary>
    /// The counter of completed executions (<c>pyhosting.executions</c>, unit <c>{execution}</c>),
    /// tagged with <see cref="OutcomeTagName"/>.
    /// </summary>
    public const string Executions = "pyhosting.executions";

    /// <summary>
    /// The histogram of execution durations in seconds, waiting for the GIL included
    /// (<c>pyhosting.execution.duration</c>), tagged with <see cref="OutcomeTagName"/>.
    /// </summary>
    public const string ExecutionDuration = "pyhosting.execution.duration";

    /// <summary>
    /// The counter of operations refused by the Managed backend (<c>pyhosting.permission.denials</c>,
    /// unit <c>{denial}</c>), tagged with <see cref="PermissionTagName"/>.
    /// </summary>
    public const string PermissionDenials = "pyhosting.permission.denials";

    /// <summary>The histogram of the time each execution waited for Python's global interpreter lock, in seconds (<c>pyhosting.gil.wait</c>).</summary>
    public const string GilWait = "pyhosting.gil.wait";

    /// <summary>
    /// The gauge of the bytes Python's heap holds, as counted for <c>PythonRuntime:MemoryLimit</c>
    /// (<c>pyhosting.memory.usage</c>, unit <c>By</c>); no measurement before the runtime has started, nor
    /// when <c>PythonRuntime:MemoryLimit</c> is <see langword="null"/> or 0 (then nothing is counted).
    /// Memory that native extensions allocate with the C library (numpy's array data) is not included.
    /// </summary>
    public const string MemoryUsage = "pyhosting.memory.usage";

    /// <summary>
    /// The tag holding how an execution ended: <c>ok</c>, <c>error</c> (a Python exception),
    /// <c>cancelled</c> or <c>timeout</c> (<c>PythonRuntime:ExecutionTimeout</c>).
    /// </summary>
    public const string OutcomeTagName = "outcome";

    /// <summary>
    /// The tag holding the configuration key that would have allowed a refused operation, e.g. <c>PythonRuntime:Permissions:CreateProcess</c>
    /// (<see cref="PythonRuntimeConfigurationKeys.CreateProcess"/>).
    /// </summary>
    public const string PermissionTagName = "permission";

    /// <summary>
    /// The tag every measurement carries with the name of its runtime: the name given to <c>AddPythonRuntime(name)</c>, or
    /// <c>default</c> for the default runtime (<c>runtime</c>).
    /// </summary>
    public const string RuntimeTagName = "runtime";

    /// <summary>
    /// The counter of worker processes replaced (<c>pyhosting.worker.restarts</c>, unit <c>{restart}</c>) with
    /// <c>PythonRuntime:Isolation:Mode=Process</c>, tagged with <see cref="ReasonTagName"/>.
    /// </summary>
    public const string WorkerRestarts = "pyhosting.worker.restarts";

    /// <summary>The gauge of running worker processes (<c>pyhosting.worker.count</c>, unit <c>{process}</c>) with <c>PythonRuntime:Isolation:Mode=Process</c>.</summary>
    public const string WorkerCount = "pyhosting.worker.count";

    /// <summary>
    /// The tag holding why a worker was replaced: <c>crash</c> (it ended by itself: a signal, an exit, the OOM killer),
    /// <c>timeout</c> or <c>cancel</c> (a call did not stop within <c>PythonRuntime:Isolation:CallGracePeriod</c>),
    /// <c>protocol</c> (it broke the channel's protocol), <c>recycle</c> (<c>PythonRuntime:Isolation:RecycleAfterCalls</c>).
    /// </summary>
    public const string ReasonTagName = "reason";
}
