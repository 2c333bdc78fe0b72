using System.Globalization;
using Microsoft.Extensions.Logging;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Internal;
using PyHosting.Internal.Conversion;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// The runtime of <c>PythonRuntime:Isolation:Mode=Process</c>: the same <see cref="IPythonRuntime"/> as in
/// process, served by a worker process. Calls are forwarded over the worker's channel; the host owns the
/// timeout, interrupts a call through the channel, and kills the worker when the call has not stopped within
/// <see cref="PythonIsolationOptions.CallGracePeriod"/>. A worker that ends fails its calls in flight with
/// <see cref="PythonWorkerCrashedException"/>, and the next call starts a fresh one.
/// </summary>
internal sealed partial class ProcessPythonRuntime : IStartablePythonRuntime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly PythonRuntimeOptions _options;
    private readonly WorkerLauncher _launcher;
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider _timeProvider;
    private readonly IPythonRuntimeObserver? _observer;
    private readonly WorkerMetrics _metrics;
    private readonly BrokeredProviders? _providers;
    private readonly ILogger _logger;
    private readonly ILogger _outLogger;
    private readonly ILogger _errLogger;
    private readonly OutputSink _defaultSink;
    private readonly AsyncLocal<OutputSink?> _redirect = new();
    private readonly LauncherThread _launcherThread = new();

    // The pool, guarded by _poolLock: workers in start order, the calls each has been given, the workers being started,
    // and the callers waiting for a worker (first come, first served).
    private readonly Lock _poolLock = new();
    private readonly List<WorkerProcess> _pool = [];
    private readonly Dictionary<WorkerProcess, int> _assigned = [];
    private readonly Queue<TaskCompletionSource<WorkerProcess?>> _waiters = new();
    private int _starting;
    private long _nextCallId;
    private volatile bool _started;
    private volatile bool _stopped;

    public ProcessPythonRuntime(
        PythonRuntimeOptions options,
        WorkerLauncher launcher,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IPythonRuntimeObserver? observer,
        WorkerMetrics metrics,
        BrokeredProviders? providers = null)
    {
        _options = options;
        _launcher = launcher;
        _settings = WorkerSettings.From(options, launcher.ContentRoot);
        if (providers is { Any: true })
        {
            _providers = providers;
            providers.Describe(_settings);
        }
        _timeProvider = timeProvider;
        _observer = observer;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger("PyHosting.Hosting");
        _outLogger = loggerFactory.CreateLogger("PyHosting.Python.Stdout");
        _errLogger = loggerFactory.CreateLogger("PyHosting.Python.Stderr");
        _defaultSink = new OutputSink(null, null, _outLogger, _errLogger);
    }

    public PythonBackend Backend => _options.Backend;

    public bool IsStarted => _started && !_stopped;

    /// <summary>
    /// Gets the resident memory of the runtime's worker processes (each with the processes it started: bubblewrap's and
    /// Python's children), in bytes: what the workers take from the machine, their .NET runtime included; Python's own
    /// heap is counted inside each worker, which enforces <c>MemoryLimit</c>. <see langword="null"/> where /proc cannot
    /// be read, and before the first worker starts.
    /// </summary>
    public long? MemoryUsage
    {
        get
        {
            WorkerProcess[] workers;
            lock (_poolLock)
            {
                workers = [.. _pool];
            }

            long total = 0;
            var seen = false;
            foreach (var worker in workers)
            {
                if (!worker.IsGone && WorkerMemory.ResidentBytes(worker.ProcessId) is { } bytes)
                {
                    total += bytes;
                    seen = true;
                }
            }

            return seen ? total : null;
        }
    }

    /// <summary>Gets the first running worker, for health checks and tests.</summary>
    internal WorkerProcess? Worker
    {
        get
        {
            lock (_poolLock)
            {
                return _pool.Find(static w => !w.IsGone);
            }
        }
    }

    /// <summary>Gets the running workers, for tests.</summary>
    internal IReadOnlyList<WorkerProcess> Workers
    {
        get
        {
            lock (_poolLock)
            {
                return _pool.Where(static w => !w.IsGone).ToArray();
            }
        }
    }

    /// <summary>Gets the metrics.</summary>
    internal WorkerMetrics Metrics => _metrics;

    public void Start()
    {
        if (_started)
        {
            return;
        }

        // Start is synchronous by contract; the launcher thread never waits for this one.
        for (var i = 0; i < _options.Isolation.MinWorkers; i++)
        {
            var worker = _launcherThread.RunAsync(StartWorker).GetAwaiter().GetResult();
            lock (_poolLock)
            {
                _pool.Add(worker);
            }

            PreloadAsync(worker).GetAwaiter().GetResult();
        }

        _started = true;
    }

    public void Stop()
    {
        if (!_started || _stopped)
        {
            return;
        }

        _stopped = true;
        WorkerProcess[] workers;
        lock (_poolLock)
        {
            workers = [.. _pool];
            _pool.Clear();
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult(null);
            }
        }

        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        _launcherThread.Dispose();
        _defaultSink.Flush();
    }

    public Task ExecuteAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        return CallAsync<object>(new WorkerMessage { CallKind = CallKind.Execute, Text = code, ResultType = TransferTypes.None }, "exec", cancellationToken);
    }

    public Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return CallAsync<T>(new WorkerMessage { CallKind = CallKind.Evaluate, Text = expression, ResultType = TransferTypes.IndexOf(typeof(T)) }, "eval", cancellationToken);
    }

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default)
        => InvokeCoreAsync<T>(module, function, args, null, cancellationToken);

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        return InvokeCoreAsync<T>(module, function, args, kwargs, cancellationToken);
    }

    public Task RunFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return CallAsync<object>(new WorkerMessage { CallKind = CallKind.RunFile, Text = path, ResultType = TransferTypes.None }, path, cancellationToken);
    }

    public IDisposable RedirectOutput(TextWriter standardOutput, TextWriter? standardError = null)
    {
        ArgumentNullException.ThrowIfNull(standardOutput);
        var previous = _redirect.Value;
        _redirect.Value = new OutputSink(standardOutput, standardError, _outLogger, _errLogger);
        return new RedirectScope(this, previous);
    }

    private Task<T?> InvokeCoreAsync<T>(string module, string function, object?[] args, IReadOnlyDictionary<string, object?>? kwargs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var message = new WorkerMessage
            {
                CallKind = CallKind.Invoke,
                Text = module,
                Function = function,
                Payload = PlainValueCodec.EncodeList(args),
                KeywordPayload = kwargs is null ? null : PlainValueCodec.EncodeMap(kwargs),
                ResultType = TransferTypes.IndexOf(typeof(T)),
            };
            return CallAsync<T>(message, module + "." + function, cancellationToken);
        }
        catch (ArgumentException e)
        {
            return Task.FromException<T?>(e);
        }
    }

    private async Task<T?> CallAsync<T>(WorkerMessage message, string entryPoint, CancellationToken cancellationToken)
    {
        if (!_started || _stopped)
        {
            throw new InvalidOperationException("The Python runtime is not running: it starts with the host (AddPythonRuntime) and stops with it.");
        }

        var observation = _observer?.OnCallStarting(entryPoint);
        var outcome = PythonCallOutcome.Error;
        try
        {
            var result = await RunAsync<T>(message, entryPoint, cancellationToken).ConfigureAwait(false);
            outcome = PythonCallOutcome.Ok;
            return result;
        }
        catch (TimeoutException)
        {
            outcome = PythonCallOutcome.Timeout;
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = PythonCallOutcome.Cancelled;
            throw;
        }
        finally
        {
            observation?.Complete(outcome, TimeSpan.Zero);
        }
    }

    private async Task<T?> RunAsync<T>(WorkerMessage message, string entryPoint, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var worker = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        message.Kind = MessageKind.Call;
        message.CallId = Interlocked.Increment(ref _nextCallId);
        var output = new CallOutput(_redirect.Value ?? _defaultSink);
        var timeout = _options.ExecutionTimeout is { } t && t > TimeSpan.Zero ? t : Timeout.InfiniteTimeSpan;
        var pending = worker.Send(message, output);
        try
        {
            using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            WorkerMessage answer;
            try
            {
                answer = await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                var timedOut = !cancellationToken.IsCancellationRequested;
                var killed = await InterruptAsync(worker, pending, timedOut).ConfigureAwait(false);
                output.Flush();
                var replaced = killed
                    ? string.Create(CultureInfo.InvariantCulture, $" It did not stop within {_options.Key(PythonRuntimeConfigurationKeys.IsolationCallGracePeriod)} ({_options.Isolation.CallGracePeriod}); its worker process was killed and is replaced.")
                    : string.Empty;
                throw timedOut
                    ? new TimeoutException($"The Python call '{entryPoint}' ran longer than {_options.Key(PythonRuntimeConfigurationKeys.ExecutionTimeout)} ({timeout}).{replaced}")
                    : new OperationCanceledException($"The Python call '{entryPoint}' was cancelled.{replaced}", cancellationToken);
            }

            output.Flush();
            return answer.Kind == MessageKind.Result
                ? ResultDecoder.Decode<T>(answer.Payload ?? [], message.ResultType, ConversionJson.For(_options.TypeInfoResolver))
                : throw ToException(answer.Error);
        }
        catch (ChannelProtocolException e)
        {
            worker.Kill("protocol");
            throw new PythonWorkerCrashedException("The Python worker process answered with an invalid result and was killed: " + e.Message, e);
        }
        finally
        {
            worker.Complete(message.CallId);
            Release(worker);
        }
    }

    /// <summary>Interrupts a call in the worker; kills the worker when the call has not ended within the grace period.</summary>
    /// <returns>Whether the worker was killed.</returns>
    private async Task<bool> InterruptAsync(WorkerProcess worker, PendingCall pending, bool timedOut)
    {
        worker.Cancel(pending.CallId);

        // The system clock on purpose: a hung worker must be killed even when the runtime's clock is a test double.
        var grace = _options.Isolation.CallGracePeriod;
        var ended = await Task.WhenAny(pending.Task, Task.Delay(grace, TimeProvider.System)).ConfigureAwait(false) == pending.Task;
        _ = pending.Task.ContinueWith(static c => _ = c.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (ended)
        {
            return false;
        }

        var reason = timedOut ? "timeout" : "cancel";
        Log.WorkerKilled(_logger, worker.ProcessId, reason == "timeout"
            ? $"a call overran {_options.Key(PythonRuntimeConfigurationKeys.ExecutionTimeout)} and did not stop within {_options.Key(PythonRuntimeConfigurationKeys.IsolationCallGracePeriod)}"
            : "a cancelled call did not stop within PythonRuntime:Isolation:CallGracePeriod");
        worker.Kill(reason);
        return true;
    }

    /// <summary>
    /// Gives the call a worker: the first idle one (so that calls made one after another stay on one worker), else a new
    /// one while there are fewer than <c>Isolation:MaxWorkers</c>, else the first to become idle, in arrival order, while
    /// at most <c>Isolation:MaxQueuedCalls</c> calls wait.
    /// </summary>
    private async Task<WorkerProcess> AcquireAsync(CancellationToken cancellationToken)
    {
        var isolation = _options.Isolation;
        while (true)
        {
            TaskCompletionSource<WorkerProcess?>? waiter = null;
            lock (_poolLock)
            {
                if (_stopped)
                {
                    throw new InvalidOperationException("The Python runtime has stopped: it starts with the host (AddPythonRuntime) and stops with it.");
                }

                Prune();
                foreach (var worker in _pool)
                {
                    if (_assigned.GetValueOrDefault(worker) == 0)
                    {
                        _assigned[worker] = 1;
                        return worker;
                    }
                }

                if (_pool.Count + _starting < isolation.MaxWorkers)
                {
                    _starting++;
                }
                else if (_waiters.Count >= isolation.MaxQueuedCalls && _pool.Count > 0)
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The Python call was refused: all {_pool.Count} worker processes are busy and {_waiters.Count} calls are already waiting ({_options.Key(PythonRuntimeConfigurationKeys.IsolationMaxQueuedCalls)} = {isolation.MaxQueuedCalls}). Raise {_options.Key(PythonRuntimeConfigurationKeys.IsolationMaxWorkers)} or {_options.Key(PythonRuntimeConfigurationKeys.IsolationMaxQueuedCalls)}, or call less often."));
                }
                else
                {
                    waiter = new TaskCompletionSource<WorkerProcess?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                }
            }

            if (waiter is not null)
            {
                WorkerProcess? handedOver;
                using (cancellationToken.Register(static w => ((TaskCompletionSource<WorkerProcess?>)w!).TrySetCanceled(), waiter))
                {
                    handedOver = await waiter.Task.ConfigureAwait(false);
                }

                // A worker handed over by the call before is already assigned to this one: no later caller can take it first.
                if (handedOver is not null)
                {
                    return handedOver;
                }

                continue;
            }

            // Not cancellable: a worker started for a caller who gave up serves the next call.
            WorkerProcess fresh;
            try
            {
                fresh = await _launcherThread.RunAsync(StartWorker).ConfigureAwait(false);
                await PreloadAsync(fresh).ConfigureAwait(false);
            }
            catch
            {
                lock (_poolLock)
                {
                    _starting--;
                    WakeOne();
                }

                throw;
            }

            lock (_poolLock)
            {
                _starting--;
                if (_stopped)
                {
                    fresh.Dispose();
                    throw new InvalidOperationException("The Python runtime has stopped: it starts with the host (AddPythonRuntime) and stops with it.");
                }

                _pool.Add(fresh);
                _assigned[fresh] = 1;
                return fresh;
            }
        }
    }

    /// <summary>Takes back a worker a call was given, and hands it over to the caller waiting longest, if any.</summary>
    private void Release(WorkerProcess worker)
    {
        lock (_poolLock)
        {
            if (!worker.IsGone && !RecycleDue(worker) && !_stopped)
            {
                while (_waiters.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(worker))
                    {
                        return; // the assignment passes to the waiter as it is
                    }
                }
            }

            if (_assigned.TryGetValue(worker, out var count))
            {
                if (count <= 1)
                {
                    _assigned.Remove(worker);
                }
                else
                {
                    _assigned[worker] = count - 1;
                }
            }

            WakeOne();
        }
    }

    /// <summary>Wakes the caller that has waited longest (one whose wait was cancelled passes its turn on). Holds <see cref="_poolLock"/>.</summary>
    private void WakeOne()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult(null))
            {
                return;
            }
        }
    }

    /// <summary>Drops the workers that have ended and retires those due for recycling. Holds <see cref="_poolLock"/>.</summary>
    private void Prune()
    {
        for (var i = _pool.Count - 1; i >= 0; i--)
        {
            var worker = _pool[i];
            if (worker.IsGone)
            {
                _pool.RemoveAt(i);
                _assigned.Remove(worker);
            }
            else if (RecycleDue(worker) && _assigned.GetValueOrDefault(worker) == 0)
            {
                Log.WorkerRecycled(_logger, worker.ProcessId, worker.Calls);
                _metrics.Restart("recycle");
                _pool.RemoveAt(i);
                _assigned.Remove(worker);
                Retire(worker);
            }
        }
    }

    /// <summary>Imports <c>Isolation:Preload</c> in a new worker before it serves a call.</summary>
    /// <exception cref="PythonStartupException">A module failed to import; the worker is killed.</exception>
    private async Task PreloadAsync(WorkerProcess worker)
    {
        var modules = _options.Isolation.Preload;
        if (modules.Count == 0)
        {
            return;
        }

        var message = new WorkerMessage
        {
            Kind = MessageKind.Call,
            CallKind = CallKind.Execute,
            Text = "import " + string.Join(", ", modules),
            ResultType = TransferTypes.None,
            CallId = Interlocked.Increment(ref _nextCallId),
        };
        var pending = worker.Send(message, new CallOutput(_defaultSink));
        try
        {
            var answer = await pending.Task.WaitAsync(StartTimeout, TimeProvider.System).ConfigureAwait(false);
            if (answer.Kind != MessageKind.Result)
            {
                throw new PythonStartupException($"{_options.Key(PythonRuntimeConfigurationKeys.IsolationPreload)} ({string.Join(", ", modules)}) failed to import in a new worker process: {ToException(answer.Error).Message} Fix the module list or the modules.");
            }
        }
        catch (Exception e) when (e is not PythonStartupException)
        {
            worker.Kill("preload");
            throw new PythonStartupException($"{_options.Key(PythonRuntimeConfigurationKeys.IsolationPreload)} ({string.Join(", ", modules)}) could not be imported in a new worker process: {e.Message}", e);
        }
        catch
        {
            worker.Kill("preload");
            throw;
        }
        finally
        {
            worker.Complete(message.CallId);
        }
    }

    private bool RecycleDue(WorkerProcess worker) => _options.Isolation.RecycleAfterCalls is > 0 and var limit && worker.Calls >= limit;

    /// <summary>Lets a recycled worker finish its calls in flight, then stops it.</summary>
    private static void Retire(WorkerProcess worker) => _ = Task.Run(async () =>
    {
        while (worker.InFlight > 0 && !worker.IsGone)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System).ConfigureAwait(false);
        }

        worker.Kill("recycle");
    });

    private WorkerProcess StartWorker()
    {
        var started = TimeProvider.System.GetTimestamp();
        var worker = WorkerProcess.Start(_launcher.Create(), _settings, StartTimeout, _logger, _providers);
        _metrics.WorkerStarted();
        worker.Exited += OnWorkerExited;
        if (_observer is { } observer)
        {
            worker.PermissionDenied += observer.OnPermissionDenied;
        }
        if (worker.IsGone)
        {
            OnWorkerExited(worker, null);
        }

        Log.WorkerStarted(_logger, worker.ProcessId, worker.Confined, (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return worker;
    }

    private void OnWorkerExited(WorkerProcess worker, string? reason)
    {
        worker.Exited -= OnWorkerExited;
        _metrics.WorkerEnded();
        lock (_poolLock)
        {
            WakeOne(); // a caller waiting for a busy worker may start its replacement
        }

        if (reason is not ("stop" or "recycle") && !_stopped)
        {
            _metrics.Restart(reason ?? "crash");
        }
    }

    private static Exception ToException(WorkerError? error) => error?.Kind switch
    {
        ErrorKind.Python => new PythonScriptException(error.PythonType ?? "Exception", error.PythonMessage ?? string.Empty, error.PythonTraceback ?? string.Empty),
        ErrorKind.InvalidCast => new InvalidCastException(error.Message),
        ErrorKind.Argument => new ArgumentException(error.Message),
        ErrorKind.Timeout => new TimeoutException(error.Message),
        ErrorKind.Canceled => new OperationCanceledException(error.Message),
        ErrorKind.InvalidOperation => new InvalidOperationException(error.Message),
        null => new PythonWorkerCrashedException("The Python worker process reported a failure without saying what it was."),
        _ => new InvalidOperationException($"{error.Details?.FirstOrDefault() ?? "Exception"} in the Python worker process: {error.Message}"),
    };

    private sealed class RedirectScope(ProcessPythonRuntime owner, OutputSink? previous) : IDisposable
    {
        public void Dispose() => owner._redirect.Value = previous;
    }
}
