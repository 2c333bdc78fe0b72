using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// One worker process and its channel: starts it, hands it the runtime's settings, matches its frames to the
/// calls in flight, keeps the last lines of its standard error, and kills it (SIGKILL, whole process tree) when
/// asked or when it breaks the protocol. When it ends, every call still in flight fails.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int StderrLines = 20;

    private readonly Process _process;
    private FrameChannel _channel = null!;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly Queue<string> _stderr = new();
    private readonly TaskCompletionSource<WorkerMessage> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _stderrEnded = new();
    private readonly ManualResetEventSlim _ended = new();
    private string? _killReason;
    private string? _brokerViolation;
    private WorkerBroker? _broker;
    private int _calls;

    private WorkerProcess(Process process, ILogger logger)
    {
        _process = process;
        _logger = logger;
    }

    /// <summary>Raised once when the worker has ended, with the reason it was killed, or <see langword="null"/> when it ended by itself.</summary>
    public event Action<WorkerProcess, string?>? Exited;

    /// <summary>Raised for each operation the worker's Managed backend refused, with the permission key.</summary>
    public event Action<string>? PermissionDenied;

    /// <summary>The permission tag of the Managed backend's refusals that no setting allows (crafted code objects, audit hooks).</summary>
    internal const string AlwaysDeniedTag = "ManagedBackend";

    /// <summary>Gets the worker's process id (of bubblewrap when confined).</summary>
    public int ProcessId { get; private set; }

    /// <summary>Gets a value indicating whether the worker runs confined.</summary>
    public bool Confined { get; private init; }

    /// <summary>Gets a value indicating whether the worker has ended or is being killed.</summary>
    public bool IsGone => _exited.Task.IsCompleted || Volatile.Read(ref _killReason) is not null;

    /// <summary>Gets the number of calls sent to the worker.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets the number of calls in flight.</summary>
    public int InFlight => _pending.Count;

    /// <summary>Gets a task that completes when the worker has ended.</summary>
    public Task Completion => _exited.Task;

    /// <summary>Gets what serves the worker's brokered provider requests, or <see langword="null"/> when nothing is brokered.</summary>
    internal WorkerBroker? Broker => _broker;

    /// <summary>Starts a worker and waits until its runtime has started.</summary>
    /// <param name="command">How to start it.</param>
    /// <param name="settings">The runtime's configuration.</param>
    /// <param name="startTimeout">How long the start may take.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="providers">The providers the host serves the worker, or <see langword="null"/> when nothing is brokered.</param>
    /// <returns>The started worker.</returns>
    /// <exception cref="PythonStartupException">The worker could not be started, or its runtime could not.</exception>
    /// <exception cref="OptionsValidationException">The worker refused the configuration.</exception>
    public static WorkerProcess Start(WorkerCommand command, Dictionary<string, string?> settings, TimeSpan startTimeout, ILogger logger, BrokeredProviders? providers = null)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, logger) { Confined = command.Confined };
        try
        {
            process.ErrorDataReceived += (_, e) => worker.OnStderr(e.Data);
            if (!process.Start())
            {
                throw new PythonStartupException($"The Python worker process could not be started ({command.FileName}).");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new PythonStartupException($"The Python worker process could not be started ({command.FileName}): {e.Message}", e);
        }
        finally
        {
            // The worker has its copy of what it inherits (or never will): the host's copy is closed.
            command.Inherited?.Dispose();
        }

        worker.ProcessId = process.Id;
        worker._channel = new FrameChannel(process.StandardOutput.BaseStream, process.StandardInput.BaseStream);
        if (providers is { Any: true })
        {
            // Before the start frame: the worker's runtime reads its module paths through the broker while it starts.
            worker._broker = new WorkerBroker(providers, worker.SendQuietly, logger, () => worker.ProcessId);
        }

        process.BeginErrorReadLine();
        var reader = new Thread(worker.ReadLoop) { IsBackground = true, Name = "PyHosting worker channel" };
        reader.Start();
#pragma warning disable RS0030 // IStartablePythonRuntime.Start is synchronous by contract: the host's start waits for the worker's.
        try
        {
            worker._channel.Write(new WorkerMessage { Kind = MessageKind.Start, Settings = settings });
            if (!worker._ready.Task.Wait(startTimeout))
            {
                throw new PythonStartupException(FormattableString.Invariant($"The Python worker process did not start its runtime within {startTimeout.TotalSeconds:0} s. {worker.StderrSummary()}"));
            }

            var answer = worker._ready.Task.Result;
            if (answer.Kind == MessageKind.StartFailed)
            {
                throw StartFailure(answer.Error);
            }

            return worker;
        }
        catch (Exception e) when (e is IOException or AggregateException)
        {
            worker.Kill("start");
            worker._exited.Task.Wait(TimeSpan.FromSeconds(5));
            var inner = e is AggregateException a ? a.InnerException ?? e : e;
            throw new PythonStartupException($"The Python worker process ended while starting: {inner.Message} {worker.StderrSummary()}", inner);
        }
        catch
        {
            worker.Kill("start");
            throw;
        }
#pragma warning restore RS0030
    }

    /// <summary>Sends a call; its outcome completes the returned pending call.</summary>
    /// <param name="message">The call.</param>
    /// <param name="output">Where its output goes.</param>
    /// <returns>The pending call.</returns>
    public PendingCall Send(WorkerMessage message, CallOutput output)
    {
        var pending = new PendingCall(message.CallId, output);
        _pending[message.CallId] = pending;
        Interlocked.Increment(ref _calls);
        if (IsGone)
        {
            pending.Fail(Crashed("The Python worker process had already ended when the call was sent."));
            return pending;
        }

        try
        {
            _channel.Write(message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The read loop reports the end of the worker to every pending call, this one included.
            Kill("channel");
        }

        return pending;
    }

    /// <summary>Asks the worker to interrupt a call.</summary>
    /// <param name="callId">The call.</param>
    public void Cancel(long callId)
    {
        try
        {
            _channel.Write(new WorkerMessage { Kind = MessageKind.Cancel, CallId = callId });
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Kill("channel");
        }
    }

    /// <summary>Forgets a call that has completed.</summary>
    /// <param name="callId">The call.</param>
    public void Complete(long callId) => _pending.TryRemove(callId, out _);

    /// <summary>Kills the worker (SIGKILL to it and its descendants); its calls in flight fail when it has ended.</summary>
    /// <param name="reason">Why: the <c>reason</c> tag of the restart metric.</param>
    public void Kill(string reason)
    {
        if (Interlocked.CompareExchange(ref _killReason, reason, null) is not null)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It has ended already.
        }
    }

    public void Dispose()
    {
        Kill("stop");

        // The read loop owns the process until it has reported the end.
        _ended.Wait(TimeSpan.FromSeconds(10));
        _broker?.Dispose();
        _channel.Dispose();
        _process.Dispose();
    }

    /// <summary>Sends a frame of the broker to the worker; a worker that has gone is reported by the read loop.</summary>
    private void SendQuietly(WorkerMessage message)
    {
        if (IsGone)
        {
            return;
        }

        try
        {
            try
            {
                _channel.Write(message);
            }
            catch (ChannelProtocolException) when (message.Kind == MessageKind.Response)
            {
                // An answer too large for one frame (a directory of millions of entries): the request fails instead.
                _channel.Write(new WorkerMessage { Kind = MessageKind.Response, CallId = message.CallId, Code = Providers.Errno.EIO, Text = "The answer is too large to cross the channel." });
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ChannelProtocolException)
        {
            Kill("channel");
        }
    }

    private static Exception StartFailure(WorkerError? error) => error?.Kind switch
    {
        ErrorKind.Validation => new OptionsValidationException(Options.DefaultName, typeof(PythonRuntimeOptions), error.Details ?? [error.Message]),
        _ => new PythonStartupException("The Python worker process could not start its runtime: " + (error?.Message ?? "no reason given")),
    };

    private void ReadLoop()
    {
        string? violation = null;
        try
        {
            while (_channel.Read() is { } message)
            {
                if (!Dispatch(message))
                {
                    violation = _brokerViolation ?? $"an unexpected {message.Kind} frame";
                    break;
                }
            }
        }
        catch (ChannelProtocolException e)
        {
            violation = e.Message;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke: the worker has ended, which the exit status tells.
        }

        try
        {
            if (violation is not null)
            {
                Log.WorkerProtocolViolation(_logger, ProcessId, violation);
                Kill("protocol");
            }

            OnEnded(violation);
        }
#pragma warning disable CA1031 // A thread of the host: nothing a worker does may end the host process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.WorkerEnded(_logger, ProcessId, null, null, "the worker's end could not be handled: " + e.Message);
            _exited.TrySetResult();
        }
        finally
        {
            _ended.Set();
        }
    }

    private bool Dispatch(WorkerMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Ready or MessageKind.StartFailed when !_ready.Task.IsCompleted:
                _ready.TrySetResult(message);
                return true;
            case MessageKind.Output when message.Stream is 1 or 2 && _pending.TryGetValue(message.CallId, out var call):
                try
                {
                    call.Output.Write(message.Stream, message.Text ?? string.Empty);
                }
#pragma warning disable CA1031 // The caller's writer failing loses its output, not the worker.
                catch (Exception)
#pragma warning restore CA1031
                {
                }

                return true;
            case MessageKind.Output:
                // Output of a call the host has given up on (cancelled, then completed): dropped.
                return message.Stream is 1 or 2;
            case MessageKind.Result or MessageKind.Failed when _pending.TryGetValue(message.CallId, out var done):
                done.Complete(message);
                return true;
            case MessageKind.Result or MessageKind.Failed:
                return message.CallId > 0;
            // The key of a permission, or the tag of what the Managed backend never allows: nothing else may become a tag value.
            case MessageKind.Request when _broker is not null:
                _brokerViolation = _broker.Accept(message);
                return _brokerViolation is null;
            case MessageKind.Denied when message.Text is { Length: > 0 and <= 200 } key
                && (key.StartsWith(PythonRuntimeConfigurationKeys.Section + ":", StringComparison.Ordinal) || key == AlwaysDeniedTag):
                PermissionDenied?.Invoke(key);
                return true;
            default:
                return false;
        }
    }

    private void OnEnded(string? violation)
    {
        _process.WaitForExit();

        // The host's streams, processes and timers the worker held: nobody else will close them.
        _broker?.Dispose();
        var (exitCode, signal) = ExitStatus();
        var reason = Volatile.Read(ref _killReason);
        var message = violation is not null
            ? $"The Python worker process broke the channel's protocol ({violation}) and was killed."
            : reason is not null
                ? $"The Python worker process was killed ({reason})."
                : signal is { } s
                    ? FormattableString.Invariant($"The Python worker process was ended by signal {s} ({SignalName(s)}).")
                    : FormattableString.Invariant($"The Python worker process exited with code {exitCode}.");
        var tail = StderrTail();
        if (tail.Count > 0)
        {
            message += " Its last standard error lines: " + string.Join(" | ", tail);
        }

        var crash = new PythonWorkerCrashedException(message, exitCode, signal, tail);

        // The worker counts as gone before its calls are failed: a call sent meanwhile (Send adds it, then checks) fails
        // either here or in Send, and never waits for an answer that cannot come.
        _exited.TrySetResult();
        foreach (var call in _pending.Values)
        {
            call.Fail(crash);
        }

        _ready.TrySetException(new IOException(message));
        if (reason is null or "protocol")
        {
            Log.WorkerEnded(_logger, ProcessId, exitCode, signal, message);
        }

        Exited?.Invoke(this, violation is not null ? "protocol" : reason);
    }

    private (int? ExitCode, int? Signal) ExitStatus()
    {
        // .NET reports a process ended by signal n as exit code 128 + n, as shells do; bubblewrap passes its child's on.
        var code = _process.ExitCode;
        return code is > 128 and < 128 + 65 ? (null, code - 128) : (code, null);
    }

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        _ => "signal",
    };

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrEnded.Set();
            return;
        }

        lock (_stderr)
        {
            _stderr.Enqueue(line.Length > 1000 ? line[..1000] : line);
            while (_stderr.Count > StderrLines)
            {
                _stderr.Dequeue();
            }
        }

        Log.WorkerStderr(_logger, ProcessId, line);
    }

    private List<string> StderrTail()
    {
        // The stderr reader may lag the exit by a moment.
        if (_process.HasExited)
        {
            _stderrEnded.Wait(TimeSpan.FromSeconds(1));
        }

        lock (_stderr)
        {
            return [.. _stderr];
        }
    }

    private string StderrSummary()
    {
        var tail = StderrTail();
        return tail.Count == 0 ? "It wrote nothing to standard error." : "Its last standard error lines: " + string.Join(" | ", tail);
    }

    private PythonWorkerCrashedException Crashed(string message) => new(message, null, null, StderrTail());
}

/// <summary>A call sent to a worker, until its result, its failure or the worker's end.</summary>
/// <param name="callId">The call's id.</param>
/// <param name="output">Where its output goes.</param>
internal sealed class PendingCall(long callId, CallOutput output)
{
    private readonly TaskCompletionSource<WorkerMessage> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long CallId { get; } = callId;

    public CallOutput Output { get; } = output;

    public Task<WorkerMessage> Task => _completion.Task;

    public void Complete(WorkerMessage message) => _completion.TrySetResult(message);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
