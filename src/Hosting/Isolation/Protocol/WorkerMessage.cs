namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>What a frame on the worker channel carries.</summary>
internal enum MessageKind
{
    /// <summary>Host to worker, first frame: <see cref="WorkerMessage.Settings"/> holds the runtime's configuration.</summary>
    Start = 1,

    /// <summary>Worker to host: the runtime has started; <see cref="WorkerMessage.Text"/> is the worker's process id.</summary>
    Ready = 2,

    /// <summary>Worker to host: the runtime could not start; <see cref="WorkerMessage.Error"/> says why.</summary>
    StartFailed = 3,

    /// <summary>Host to worker: run a call.</summary>
    Call = 4,

    /// <summary>Host to worker: cancel the call <see cref="WorkerMessage.CallId"/>.</summary>
    Cancel = 5,

    /// <summary>Worker to host: output of a call; <see cref="WorkerMessage.Stream"/> is 1 or 2.</summary>
    Output = 6,

    /// <summary>Worker to host: the call completed; <see cref="WorkerMessage.Payload"/> holds its encoded result.</summary>
    Result = 7,

    /// <summary>Worker to host: the call failed; <see cref="WorkerMessage.Error"/> says how.</summary>
    Failed = 8,

    /// <summary>Worker to host: the Managed backend refused an operation; <see cref="WorkerMessage.Text"/> is the permission key.</summary>
    Denied = 9,

    /// <summary>
    /// Worker to host: a provider operation brokered to the host (<see cref="WorkerMessage.CallId"/> is the request's id,
    /// <see cref="WorkerMessage.Code"/> a <see cref="BrokerOperation"/>, <see cref="WorkerMessage.Payload"/> its arguments).
    /// </summary>
    Request = 10,

    /// <summary>
    /// Host to worker: the answer to a <see cref="Request"/> (<see cref="WorkerMessage.Code"/> is 0 or an errno,
    /// <see cref="WorkerMessage.Payload"/> the result, <see cref="WorkerMessage.Text"/> the error's message).
    /// </summary>
    Response = 11,

    /// <summary>Host to worker: a brokered timer fired; <see cref="WorkerMessage.CallId"/> is the timer's id.</summary>
    TimerFired = 12,
}

/// <summary>How the worker runs a call.</summary>
internal enum CallKind
{
    /// <summary><c>ExecuteAsync</c>.</summary>
    Execute = 1,

    /// <summary><c>EvaluateAsync</c>.</summary>
    Evaluate = 2,

    /// <summary><c>InvokeAsync</c>.</summary>
    Invoke = 3,

    /// <summary><c>RunFileAsync</c>.</summary>
    RunFile = 4,
}

/// <summary>The exception a failed call raises in the host, as the worker's runtime raised it.</summary>
internal enum ErrorKind
{
    /// <summary>A <see cref="PythonScriptException"/>.</summary>
    Python = 1,

    /// <summary>An <see cref="InvalidCastException"/>.</summary>
    InvalidCast = 2,

    /// <summary>An <see cref="ArgumentException"/>.</summary>
    Argument = 3,

    /// <summary>A <see cref="TimeoutException"/>.</summary>
    Timeout = 4,

    /// <summary>An <see cref="OperationCanceledException"/>.</summary>
    Canceled = 5,

    /// <summary>An <see cref="InvalidOperationException"/>.</summary>
    InvalidOperation = 6,

    /// <summary>An <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> (start only).</summary>
    Validation = 7,

    /// <summary>A <see cref="PythonStartupException"/> (start only).</summary>
    Startup = 8,

    /// <summary>Anything else, surfaced as <see cref="InvalidOperationException"/> naming its type.</summary>
    Other = 9,
}

/// <summary>One frame of the channel between the host and a worker, serialised by <see cref="WorkerMessageFormatter"/>.</summary>
internal sealed class WorkerMessage
{
    /// <summary>Gets or sets what the frame carries.</summary>
    public MessageKind Kind { get; set; }

    /// <summary>Gets or sets the call the frame belongs to (0 for none).</summary>
    public long CallId { get; set; }

    /// <summary>Gets or sets how a call is run.</summary>
    public CallKind CallKind { get; set; }

    /// <summary>Gets or sets the code, expression, module, path, output text or process id.</summary>
    public string? Text { get; set; }

    /// <summary>Gets or sets the function of an <see cref="CallKind.Invoke"/>.</summary>
    public string? Function { get; set; }

    /// <summary>Gets or sets the encoded positional arguments, or the encoded result.</summary>
    public byte[]? Payload { get; set; }

    /// <summary>Gets or sets the encoded keyword arguments.</summary>
    public byte[]? KeywordPayload { get; set; }

    /// <summary>Gets or sets the index of the result type in <see cref="TransferTypes"/>, or -1 for a JSON image.</summary>
    public int ResultType { get; set; }

    /// <summary>Gets or sets the output stream: 1 for standard output, 2 for standard error.</summary>
    public int Stream { get; set; }

    /// <summary>Gets or sets the failure of a call or of the start.</summary>
    public WorkerError? Error { get; set; }

    /// <summary>Gets or sets the configuration of the worker's runtime (<see cref="MessageKind.Start"/>).</summary>
    public Dictionary<string, string?>? Settings { get; set; }

    /// <summary>Gets or sets the operation of a <see cref="MessageKind.Request"/>, or the errno of a <see cref="MessageKind.Response"/> (0: success).</summary>
    public int Code { get; set; }
}

/// <summary>A failure reported by the worker.</summary>
internal sealed class WorkerError
{
    /// <summary>Gets or sets the exception to raise.</summary>
    public ErrorKind Kind { get; set; }

    /// <summary>Gets or sets the exception's message.</summary>
    public string Message { get; set; } = string.Empty;

    /// <summary>Gets or sets the Python exception's type name.</summary>
    public string? PythonType { get; set; }

    /// <summary>Gets or sets the Python exception's message.</summary>
    public string? PythonMessage { get; set; }

    /// <summary>Gets or sets the Python traceback.</summary>
    public string? PythonTraceback { get; set; }

    /// <summary>Gets or sets the individual validation failures, or the exception type of <see cref="ErrorKind.Other"/>.</summary>
    public List<string>? Details { get; set; }
}
