using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PyHosting.TestHost;

/// <summary>
/// Serves the line protocol: one JSON request per line on standard input, one JSON response per
/// line on the protocol output. Requests run concurrently; responses carry the request's <c>id</c>.
/// </summary>
/// <remarks>
/// Requests: <c>{"id":1,"op":"exec"|"eval","code":"..."}</c>, <c>{"op":"invoke","module":"m","function":"f","args":[...]}</c>,
/// <c>{"op":"runfile","path":"..."}</c>, each with optional <c>"timeoutMs"</c> (cancels the call) and
/// <c>"capture":true</c> (Python's output goes to writers returned as <c>stdout</c>/<c>stderr</c>);
/// <c>{"op":"logs","category":"..."}</c>, <c>{"op":"gauge","name":"pyhosting.memory.usage"}</c>, <c>{"op":"options"}</c>, <c>{"op":"ping"}</c> and <c>{"op":"stop"}</c>.
/// Responses: <c>{"id":1,"ok":true,"result":...}</c> or <c>{"id":1,"ok":false,"type":"PythonScriptException","pythonType":...,"message":...}</c>.
/// </remarks>
internal sealed class ProtocolServer(IPythonRuntime runtime, PythonRuntimeOptions options, CapturedLogs logs, GaugeReader gauges, Stream output)
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly List<Task> _pending = [];

    public async Task RunAsync(Stream input)
    {
        await WriteAsync(new JsonObject { ["ready"] = true, ["pid"] = Environment.ProcessId, ["backend"] = runtime.Backend.ToString() });
        using var reader = new StreamReader(input, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonObject request;
            try
            {
                request = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("The request is not an object.");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                await WriteAsync(Failure(null, e));
                continue;
            }

            if ((string?)request["op"] == "stop")
            {
                await Task.WhenAll(_pending);
                await WriteAsync(new JsonObject { ["id"] = request["id"]?.DeepClone(), ["ok"] = true, ["result"] = null });
                return;
            }

            _pending.RemoveAll(static t => t.IsCompleted);
            _pending.Add(Task.Run(() => HandleAsync(request)));
        }

        await Task.WhenAll(_pending);
    }

    private async Task HandleAsync(JsonObject request)
    {
        var id = request["id"]?.DeepClone();
        JsonObject response;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var capture = (bool?)request["capture"] == true;
        try
        {
            using var timeout = request["timeoutMs"] is { } ms ? new CancellationTokenSource(TimeSpan.FromMilliseconds((double)ms)) : null;
            var token = timeout?.Token ?? CancellationToken.None;
            using var redirect = capture ? runtime.RedirectOutput(stdout, stderr) : null;
            var result = await ExecuteAsync(request, token);
            response = new JsonObject { ["id"] = id, ["ok"] = true, ["result"] = JsonValues.ToNode(result) };
        }
        catch (Exception e)
        {
            response = Failure(id, e);
        }

        if (capture)
        {
            response["stdout"] = stdout.ToString();
            response["stderr"] = stderr.ToString();
        }

        await WriteAsync(response);
    }

    private async Task<object?> ExecuteAsync(JsonObject request, CancellationToken token)
    {
        switch ((string?)request["op"])
        {
            case "exec":
                await runtime.ExecuteAsync(Required(request, "code"), token);
                return null;
            case "eval":
                var code = Required(request, "code");
                return (string?)request["as"] switch
                {
                    null => await runtime.EvaluateAsync<object>(code, token),
                    "long" => await runtime.EvaluateAsync<long>(code, token),
                    "double" => await runtime.EvaluateAsync<double>(code, token),
                    "bool" => await runtime.EvaluateAsync<bool>(code, token),
                    "int[]" => await runtime.EvaluateAsync<int[]>(code, token),
                    "double[]" => await runtime.EvaluateAsync<double[]>(code, token),
                    "long[][]" => await runtime.EvaluateAsync<long[][]>(code, token),
                    "List<double>" => await runtime.EvaluateAsync<List<double>>(code, token),
                    var other => throw new NotSupportedException($"The TestHost does not evaluate as '{other}'."),
                };
            case "invoke":
                var args = request["args"] is JsonArray array ? array.Select(JsonValues.FromNode).ToArray() : [];
                return await runtime.InvokeAsync<object>(Required(request, "module"), Required(request, "function"), args, token);
            case "runfile":
                await runtime.RunFileAsync(Required(request, "path"), token);
                return null;
            case "logs":
                return logs.Snapshot((string?)request["category"])
                    .Select(static e => new Dictionary<string, object?> { ["category"] = e.Category, ["level"] = e.Level, ["eventId"] = e.EventId, ["message"] = e.Message })
                    .ToList();
            case "gauge":
                return gauges.Read(Required(request, "name"));
            case "options":
                return JsonSerializer.SerializeToNode(options, SerializerOptions);
            case "ping":
                return "pong";
            default:
                throw new NotSupportedException($"Unknown op '{(string?)request["op"]}'.");
        }
    }

    private static string Required(JsonObject request, string name) =>
        (string?)request[name] ?? throw new ArgumentException($"The request has no '{name}'.", name);

    private static JsonObject Failure(JsonNode? id, Exception e)
    {
        var response = new JsonObject { ["id"] = id, ["ok"] = false, ["type"] = e.GetType().Name, ["message"] = e.Message };
        if (e is PythonScriptException python)
        {
            response["pythonType"] = python.PythonType;
            response["pythonMessage"] = python.PythonMessage;
            response["traceback"] = python.PythonTraceback;
        }

        return response;
    }

    private async Task WriteAsync(JsonObject message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString(SerializerOptions) + "\n");
        await _writeGate.WaitAsync();
        try
        {
            await output.WriteAsync(bytes);
            await output.FlushAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
