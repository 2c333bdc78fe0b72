namespace PyHosting.Hosting.Diagnostics;

/// <summary>
/// Names of the activities (spans) the Python runtime starts, for example to subscribe with
/// OpenTelemetry's <c>AddSource(PythonRuntimeTracing.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// Each call of <c>IPythonRuntime</c> is one activity named <see cref="ExecutionActivityName"/>,
/// a child of the caller's <see cref="System.Diagnostics.Activity.Current"/>. It carries
/// <see cref="EntryPointTagName"/> and <see cref="OutcomeTagName"/>; its status is
/// <see cref="System.Diagnostics.ActivityStatusCode.Error"/> unless the outcome is <c>ok</c>, and each
/// permission denial during the call adds a <see cref="PermissionDeniedEventName"/> event.
/// </remarks>
public static class PythonRuntimeTracing
{
    /// <summary>The name of the activity source: <c>PyHosting.Runtime</c>.</summary>
    public const string ActivitySourceName = "PyHosting.Runtime";

    /// <summary>The operation name of an execution's activity: <c>pyhosting.execution</c>.</summary>
    public const string ExecutionActivityName = "pyhosting.execution";

    /// <summary>
    /// The tag holding what was called: <c>exec</c> (<c>ExecuteAsync</c>), <c>eval</c>
    /// (<c>EvaluateAsync</c>), <c>module.function</c> (<c>InvokeAsync</c>) or the script's path
    /// (<c>RunFileAsync</c>). Source code is never recorded.
    /// </summary>
    public const string EntryPointTagName = "entry_point";

    /// <summary>The tag holding how the execution ended: <c>ok</c>, <c>error</c>, <c>cancelled</c> or <c>timeout</c>.</summary>
    public const string OutcomeTagName = PythonRuntimeMetrics.OutcomeTagName;

    /// <summary>The tag holding the runtime's name: the name given to <c>AddPythonRuntime(name)</c>, or <c>default</c>.</summary>
    public const string RuntimeTagName = PythonRuntimeMetrics.RuntimeTagName;

    /// <summary>The name of the event added for each operation refused during the execution; its <see cref="PythonRuntimeMetrics.PermissionTagName"/> tag holds the configuration key.</summary>
    public const string PermissionDeniedEventName = "permission_denied";
}
