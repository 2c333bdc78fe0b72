using System.Collections.Concurrent;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Worker;

/// <summary>
/// The worker's side of the channel after the start frame: one reader thread that hands the host's calls to the
/// call server and the host's answers to the provider requests waiting for them, and the requests themselves
/// (several at once, from any thread, each with its own id). A request waits synchronously: the Python thread
/// that asks for a file is blocked in .NET, the reader thread never needs the GIL.
/// </summary>
internal sealed class HostLink
{
    /// <summary>The most requests in flight at once (the host allows more: a worker that exceeds its bound is killed).</summary>
    private const int MaxInFlight = 64;

    private readonly FrameChannel _channel;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<WorkerMessage>> _pending = new();
    private readonly ConcurrentDictionary<long, Action> _timers = new();
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly ManualResetEventSlim _ended = new();
    private long _nextRequest;
    private volatile bool _closed;

    public HostLink(FrameChannel channel) => _channel = channel;

    /// <summary>Gets or sets what handles the host's calls (<see cref="MessageKind.Call"/>, <see cref="MessageKind.Cancel"/>); until set, a call ends the worker.</summary>
    public Func<WorkerMessage, bool>? Calls { get; set; }

    /// <summary>Starts the reader thread.</summary>
    public void Start() => new Thread(ReadLoop) { IsBackground = true, Name = "PyHosting host channel" }.Start();

    /// <summary>Waits until the host closes the channel or breaks its protocol.</summary>
    public void WaitForEnd() => _ended.Wait();

    /// <summary>Registers a brokered timer's callback under its id.</summary>
    /// <param name="id">The timer's id.</param>
    /// <param name="fire">What runs, on the thread pool, each time the host says it fired.</param>
    public void AddTimer(long id, Action fire) => _timers[id] = fire;

    /// <summary>Forgets a brokered timer.</summary>
    /// <param name="id">The timer's id.</param>
    public void RemoveTimer(long id) => _timers.TryRemove(id, out _);

    /// <summary>Allocates an id (timers share the request ids' sequence, so that no two things have one id).</summary>
    /// <returns>A fresh id.</returns>
    public long NextId() => Interlocked.Increment(ref _nextRequest);

    /// <summary>Asks the host, and waits for its answer.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="arguments">Its encoded arguments.</param>
    /// <returns>The encoded result, or <see langword="null"/>.</returns>
    /// <exception cref="PythonIOException">The host's provider failed, or refused, with this errno; or the host has gone (EIO).</exception>
    public byte[]? Request(BrokerOperation operation, byte[] arguments)
    {
        // No thread hop: the calling thread writes the frame and waits; the reader thread only sets the answer.
        _slots.Wait();
        var id = NextId();
        var answer = new TaskCompletionSource<WorkerMessage>();
        _pending[id] = answer;
        try
        {
            Send(id, operation, arguments);
            return Answer(answer.Task.GetAwaiter().GetResult());
        }
        finally
        {
            _pending.TryRemove(id, out _);
            _slots.Release();
        }
    }

    /// <summary>Asks the host without blocking a thread while it answers.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="arguments">Its encoded arguments.</param>
    /// <returns>The encoded result, or <see langword="null"/>.</returns>
    public async Task<byte[]?> RequestAsync(BrokerOperation operation, byte[] arguments)
        => Answer(await SendRequest(operation, arguments).ConfigureAwait(false));

    private static byte[]? Answer(WorkerMessage answer) => answer.Code == 0
        ? answer.Payload
        : throw new PythonIOException(answer.Code, answer.Text ?? "Input/output error");

    private async Task<WorkerMessage> SendRequest(BrokerOperation operation, byte[] arguments)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        var id = NextId();
        var answer = new TaskCompletionSource<WorkerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            Send(id, operation, arguments);
            return await answer.Task.ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
            _slots.Release();
        }
    }

    private void Send(long id, BrokerOperation operation, byte[] arguments)
    {
        if (_closed)
        {
            throw new PythonIOException(Errno.EIO, "The host has closed the channel.");
        }

        try
        {
            _channel.Write(new WorkerMessage { Kind = MessageKind.Request, CallId = id, Code = (int)operation, Payload = arguments });
        }
        catch (IOException e) when (e is not PythonIOException)
        {
            throw new PythonIOException(Errno.EIO, "The host has closed the channel.", e);
        }
    }

    private void ReadLoop()
    {
        try
        {
            while (_channel.Read() is { } message)
            {
                if (!Dispatch(message))
                {
                    Console.Error.WriteLine("The host sent an unexpected " + message.Kind + " frame.");
                    break;
                }
            }
        }
        catch (ChannelProtocolException e)
        {
            Console.Error.WriteLine("The host broke the channel's protocol: " + e.Message);
        }
        catch (IOException)
        {
        }
        finally
        {
            _closed = true;
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new PythonIOException(Errno.EIO, "The host has closed the channel."));
            }

            _ended.Set();
        }
    }

    private bool Dispatch(WorkerMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Response:
                return _pending.TryGetValue(message.CallId, out var pending) && pending.TrySetResult(message);
            case MessageKind.TimerFired:
                if (_timers.TryGetValue(message.CallId, out var fire))
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static f => f(), fire, preferLocal: false);
                }

                return true;
            case MessageKind.Call or MessageKind.Cancel:
                return Calls is { } calls && calls(message);
            default:
                return false;
        }
    }
}
