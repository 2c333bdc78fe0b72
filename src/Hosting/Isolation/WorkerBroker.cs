using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MessagePack;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// Serves one worker's brokered provider requests with the host's providers. Requests are parsed on the channel's
/// reader thread (a malformed one, an unknown operation, one for a provider that is not brokered, or more than
/// <see cref="MaxInFlight"/> at once is a protocol violation: the caller kills the worker) and run on the thread
/// pool, so a slow provider never holds up the channel. Every request is checked again here against the runtime's
/// permissions, as the worker's Managed backend checked it, because the worker is not trusted. What a provider
/// returns (streams, processes) and the timers of a brokered clock are kept here, by id, owned by this worker:
/// at most <see cref="MaxHandles"/> at once, and all closed when the worker ends.
/// </summary>
internal sealed partial class WorkerBroker : IDisposable
{
    /// <summary>The most streams and processes a worker may hold open at once (EMFILE beyond).</summary>
    public const int MaxHandles = 1024;

    /// <summary>The most timers a worker may hold at once (EMFILE beyond).</summary>
    public const int MaxTimers = 1024;

    /// <summary>The most requests a worker may have in flight; a well-behaved worker waits for answers well before.</summary>
    public const int MaxInFlight = 256;

    /// <summary>The most bytes one read returns (a read may return fewer bytes than asked for, as POSIX allows).</summary>
    public const int MaxReadLength = 1 << 20;

    private readonly BrokeredProviders _providers;
    private readonly Action<WorkerMessage> _send;
    private readonly ILogger _logger;
    private readonly Func<int> _processId;
    private readonly ConcurrentDictionary<long, Handle> _handles = new();
    private readonly ConcurrentDictionary<long, ITimer> _timers = new();
    private long _nextHandle;
    private int _inFlight;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="WorkerBroker"/> class.</summary>
    /// <param name="providers">The brokered providers and the permissions.</param>
    /// <param name="send">Sends a frame to the worker (never throws).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="processId">The worker's process id, for logs.</param>
    public WorkerBroker(BrokeredProviders providers, Action<WorkerMessage> send, ILogger logger, Func<int> processId)
    {
        _providers = providers;
        _send = send;
        _logger = logger;
        _processId = processId;
    }

    /// <summary>Gets the number of streams and processes the worker holds open.</summary>
    public int OpenHandles => _handles.Count;

    /// <summary>Gets the number of timers the worker holds.</summary>
    public int Timers => _timers.Count;

    /// <summary>Accepts one request: parses it here, runs it on the thread pool, and answers it.</summary>
    /// <param name="request">A <see cref="MessageKind.Request"/> frame.</param>
    /// <returns><see langword="null"/>, or why the request breaks the protocol (the worker is then killed).</returns>
    public string? Accept(WorkerMessage request)
    {
        if (request.CallId <= 0)
        {
            return "a request without an id";
        }

        Func<Task<byte[]?>> run;
        try
        {
            run = Parse(request);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidCastException or InvalidOperationException)
        {
            return $"a malformed {(BrokerOperation)request.Code} request: {e.Message}";
        }

        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return $"more than {MaxInFlight} provider requests at once";
        }

        var id = request.CallId;
        var operation = (BrokerOperation)request.Code;
        _ = Task.Run(async () =>
        {
            WorkerMessage answer;
            try
            {
                var result = await run().ConfigureAwait(false);
                answer = new WorkerMessage { Kind = MessageKind.Response, CallId = id, Payload = result };
            }
#pragma warning disable CA1031 // A provider's failure becomes the worker's errno; nothing it throws reaches the host.
            catch (Exception e)
#pragma warning restore CA1031
            {
                answer = Failure(id, operation, e);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }

            _send(answer);
        });
        return null;
    }

    /// <summary>Closes every stream and process and stops every timer the worker held.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var id in _handles.Keys)
        {
            if (_handles.TryRemove(id, out var handle))
            {
                handle.Dispose();
            }
        }

        foreach (var id in _timers.Keys)
        {
            if (_timers.TryRemove(id, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    private WorkerMessage Failure(long id, BrokerOperation operation, Exception e)
    {
        int errno;
        switch (e)
        {
            case BrokerRefusal refusal:
                Log.BrokeredRequestRefused(_logger, _processId(), operation.ToString(), refusal.Message);
                errno = refusal.ErrorNumber;
                break;
            case PythonIOException io:
                errno = io.ErrorNumber;
                break;
            case FileNotFoundException or DirectoryNotFoundException:
                errno = Errno.ENOENT;
                break;
            case UnauthorizedAccessException:
                errno = Errno.EACCES;
                break;
            case ArgumentException or FormatException:
                errno = Errno.EINVAL;
                break;
            case OperationCanceledException when _disposed:
                errno = Errno.EIO;
                break;
            default:
                errno = Errno.EIO;
                Log.BrokeredProviderFailed(_logger, _processId(), operation.ToString(), errno, e);
                break;
        }

        if (errno is <= 0 or > 4095)
        {
            errno = Errno.EIO;
        }

        var message = e is BrokerRefusal or PythonIOException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
            ? e.Message
            : "Input/output error";
        return new WorkerMessage { Kind = MessageKind.Response, CallId = id, Code = errno, Text = message };
    }

    /// <summary>A request the host refuses: a permission the runtime lacks, a bad argument, a bogus handle.</summary>
    /// <param name="errorNumber">The errno the worker gets.</param>
    /// <param name="message">Why.</param>
    private sealed class BrokerRefusal(int errorNumber, string message) : Exception(message)
    {
        public int ErrorNumber { get; } = errorNumber;
    }

    /// <summary>A stream or a process the worker holds, with one gate per stream so that a worker's concurrent requests never use one at once.</summary>
    private sealed class Handle(object resource) : IDisposable
    {
        public object Resource { get; } = resource;

        public SemaphoreSlim[] Gates { get; } = [new(1, 1), new(1, 1), new(1, 1)];

        public void Dispose()
        {
            try
            {
                if (Resource is IPythonProcess process)
                {
                    process.Kill();
                }

                ((IDisposable)Resource).Dispose();
            }
#pragma warning disable CA1031 // Closing what a provider returned must not fail the host.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
