using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Worker;

/// <summary>
/// Runs the host's calls on the worker's runtime, each in its own asynchronous flow with its output forwarded,
/// and answers each with its result or failure. A cancelled call is answered only once Python has shown that it
/// is free again; a Python that stays stuck ends the worker, which the host replaces.
/// </summary>
/// <param name="channel">The channel to the host.</param>
/// <param name="runtime">The worker's runtime.</param>
internal sealed class CallServer(FrameChannel channel, IPythonRuntime runtime)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly MethodInfo EvaluateMethod = typeof(CallServer).GetMethod(nameof(EvaluateAsAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo InvokeMethod = typeof(CallServer).GetMethod(nameof(InvokeAsAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly ConcurrentDictionary<long, CancellationTokenSource> _calls = new();

    /// <summary>Handles one of the host's frames: a call starts on the thread pool, a cancellation cancels one.</summary>
    /// <param name="message">A <see cref="MessageKind.Call"/> or <see cref="MessageKind.Cancel"/> frame.</param>
    /// <returns>Whether the frame was one of those.</returns>
    public bool Handle(WorkerMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Call:
                var source = new CancellationTokenSource();
                _calls[message.CallId] = source;
                _ = Task.Run(() => RunCallAsync(message, source));
                return true;
            case MessageKind.Cancel when _calls.TryGetValue(message.CallId, out var call):
                call.Cancel();
                return true;
            case MessageKind.Cancel:
                return true;
            default:
                return false;
        }
    }

    private async Task RunCallAsync(WorkerMessage call, CancellationTokenSource source)
    {
        var token = source.Token;
        WorkerMessage answer;
        using (runtime.RedirectOutput(new ChannelWriter(channel, call.CallId, 1), new ChannelWriter(channel, call.CallId, 2)))
        {
            try
            {
                var payload = await RunAsync(call, token).ConfigureAwait(false);
                answer = new WorkerMessage { Kind = MessageKind.Result, CallId = call.CallId, Payload = payload };
            }
            catch (OperationCanceledException e) when (token.IsCancellationRequested)
            {
                if (!await PythonIsFreeAsync().ConfigureAwait(false))
                {
                    Console.Error.WriteLine("A cancelled call did not stop; Python is stuck, the worker ends.");
                    StandardStreams.ExitNow(3);
                }

                answer = Failure(call.CallId, ErrorKind.Canceled, e);
            }
            catch (PythonScriptException e)
            {
                answer = new WorkerMessage
                {
                    Kind = MessageKind.Failed,
                    CallId = call.CallId,
                    Error = new WorkerError { Kind = ErrorKind.Python, Message = e.Message, PythonType = e.PythonType, PythonMessage = e.PythonMessage, PythonTraceback = e.PythonTraceback },
                };
            }
            catch (Exception e)
            {
                answer = Failure(call.CallId, e switch
                {
                    InvalidCastException => ErrorKind.InvalidCast,
                    ArgumentException => ErrorKind.Argument,
                    TimeoutException => ErrorKind.Timeout,
                    OperationCanceledException => ErrorKind.Canceled,
                    InvalidOperationException => ErrorKind.InvalidOperation,
                    _ => ErrorKind.Other,
                }, e);
            }
        }

        _calls.TryRemove(call.CallId, out _);
        source.Dispose();
        try
        {
            channel.Write(answer);
        }
        catch (ChannelProtocolException e)
        {
            // A result too large for one frame.
            channel.Write(Failure(call.CallId, ErrorKind.InvalidOperation, new InvalidOperationException("The result is too large to leave the worker process: " + e.Message)));
        }
        catch (IOException)
        {
        }
    }

    private static WorkerMessage Failure(long callId, ErrorKind kind, Exception e) => new()
    {
        Kind = MessageKind.Failed,
        CallId = callId,
        Error = new WorkerError { Kind = kind, Message = e.Message, Details = [e.GetType().FullName ?? e.GetType().Name] },
    };

    private async Task<byte[]?> RunAsync(WorkerMessage call, CancellationToken token)
    {
        switch (call.CallKind)
        {
            case CallKind.Execute:
                await runtime.ExecuteAsync(call.Text ?? string.Empty, token).ConfigureAwait(false);
                return null;
            case CallKind.RunFile:
                await runtime.RunFileAsync(call.Text ?? string.Empty, token).ConfigureAwait(false);
                return null;
            case CallKind.Evaluate:
                return await Typed(EvaluateMethod, call.ResultType, call.Text ?? string.Empty, token).ConfigureAwait(false);
            case CallKind.Invoke:
                {
                    var args = PlainValueCodec.DecodeList(call.Payload ?? []);
                    var kwargs = call.KeywordPayload is { } k ? PlainValueCodec.DecodeMap(k) : null;
                    var target = new InvokeTarget(call.Text ?? string.Empty, call.Function ?? string.Empty, args, kwargs);
                    return await Typed(InvokeMethod, call.ResultType, target, token).ConfigureAwait(false);
                }

            default:
                throw new InvalidOperationException("Unknown call kind " + call.CallKind + ".");
        }
    }

    private Task<byte[]?> Typed(MethodInfo method, int resultType, object argument, CancellationToken token)
    {
        var type = resultType == TransferTypes.Json ? typeof(JsonElement?)
            : resultType >= 0 && resultType < TransferTypes.All.Count ? TransferTypes.All[resultType]
            : throw new InvalidOperationException("Unknown result type " + resultType + ".");
        return (Task<byte[]?>)method.MakeGenericMethod(type).Invoke(this, [argument, token])!;
    }

    private async Task<byte[]?> EvaluateAsAsync<T>(object expression, CancellationToken token)
        => Encode(await runtime.EvaluateAsync<T>((string)expression, token).ConfigureAwait(false));

    private async Task<byte[]?> InvokeAsAsync<T>(object target, CancellationToken token)
    {
        var t = (InvokeTarget)target;
        var result = t.Kwargs is null
            ? await runtime.InvokeAsync<T>(t.Module, t.Function, t.Args, token).ConfigureAwait(false)
            : await runtime.InvokeAsync<T>(t.Module, t.Function, t.Args, t.Kwargs, token).ConfigureAwait(false);
        return Encode(result);
    }

    private static byte[] Encode<T>(T? value) => value switch
    {
        JsonElement element => System.Text.Encoding.UTF8.GetBytes(element.GetRawText()),
        null when typeof(T) == typeof(JsonElement?) => [],
        _ => PlainValueCodec.EncodeList([value]),
    };

    /// <summary>Whether Python runs a trivial statement promptly: a cancelled call that did not stop still holds the GIL.</summary>
    private async Task<bool> PythonIsFreeAsync()
    {
        using var probe = new CancellationTokenSource(ProbeTimeout);
        try
        {
            await runtime.ExecuteAsync("pass", probe.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    private sealed record InvokeTarget(string Module, string Function, object?[] Args, Dictionary<string, object?>? Kwargs);
}
