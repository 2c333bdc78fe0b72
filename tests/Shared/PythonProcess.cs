using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PyHosting.Testing;

/// <summary>
/// Runs PyHosting.TestHost (a real generic host with <c>AddPythonRuntime</c>) in a child process
/// with the given configuration, and talks to it over its line protocol. CPython starts once per
/// process, so every test that needs another backend or other permissions uses one of these.
/// </summary>
/// <example>
/// <code>
/// await using var python = await PythonProcess.StartAsync(PythonProcess.Native());
/// var sum = await python.EvalAsync("1 + 1");
/// Assert.Equal(2, sum.GetResult&lt;int&gt;());
/// </code>
/// </example>
public sealed class PythonProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<PythonResponse>> _waiting = new();
    private readonly TaskCompletionSource<JsonObject?> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private long _nextId;

    private PythonProcess(Process process)
    {
        _process = process;
        _stdoutPump = Task.Run(PumpStandardOutputAsync);
        _stderrPump = Task.Run(PumpStandardErrorAsync);
    }

    /// <summary>Gets the configuration of a Native runtime with the permissions it requires (IO=All, NativeAccess=true).</summary>
    /// <param name="extra">More keys, which win over these.</param>
    /// <returns>The configuration.</returns>
    public static Dictionary<string, string?> Native(IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        };
        foreach (var (key, value) in extra ?? [])
        {
            configuration[key] = value;
        }

        return configuration;
    }

    /// <summary>Gets the process id of the TestHost.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Gets everything the TestHost wrote to standard error so far (its console log, the start-up failure).</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Gets the exit code, or <see langword="null"/> while the process runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Starts a TestHost and waits until its runtime has started.</summary>
    /// <param name="configuration">Configuration keys, passed as <c>--Key=Value</c> command-line arguments.</param>
    /// <param name="workingDirectory">The working directory (and content root); the test's output directory by default.</param>
    /// <param name="environment">Extra environment variables (e.g. <c>PythonRuntime__Permissions__IO</c>).</param>
    /// <returns>The started process.</returns>
    /// <exception cref="InvalidOperationException">The host did not start; the message holds its exit code and standard error.</exception>
    public static async Task<PythonProcess> StartAsync(IEnumerable<KeyValuePair<string, string?>> configuration, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = Launch(configuration, workingDirectory, environment);
        if (!await process.WaitForReadyAsync(DefaultTimeout))
        {
            var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var stderr = process.StandardError;
            await process.DisposeAsync();
            throw new InvalidOperationException($"PyHosting.TestHost did not start (exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}):\n{stderr}");
        }

        return process;
    }

    /// <summary>Starts a TestHost that is expected to fail at start-up, and waits for it to exit.</summary>
    /// <param name="configuration">Configuration keys, passed as <c>--Key=Value</c> command-line arguments.</param>
    /// <param name="workingDirectory">The working directory (and content root).</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <returns>The exit code and standard error.</returns>
    public static async Task<(int ExitCode, string StandardError)> RunToExitAsync(IEnumerable<KeyValuePair<string, string?>> configuration, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = Launch(configuration, workingDirectory, environment);
        if (await process.WaitForReadyAsync(DefaultTimeout))
        {
            throw new InvalidOperationException("PyHosting.TestHost started, but it was expected to fail.");
        }

        var exitCode = await process.WaitForExitAsync(DefaultTimeout) ?? throw new TimeoutException("PyHosting.TestHost did not exit.");
        await process._stderrPump;
        return (exitCode, process.StandardError);
    }

    /// <summary>Runs Python statements (<c>IPythonRuntime.ExecuteAsync</c>).</summary>
    public Task<PythonResponse> ExecAsync(string code, int? timeoutMs = null, bool capture = false) =>
        SendAsync(new JsonObject { ["op"] = "exec", ["code"] = code, ["timeoutMs"] = timeoutMs, ["capture"] = capture });

    /// <summary>Evaluates a Python expression (<c>IPythonRuntime.EvaluateAsync&lt;object&gt;</c>).</summary>
    public Task<PythonResponse> EvalAsync(string expression, int? timeoutMs = null, bool capture = false) =>
        SendAsync(new JsonObject { ["op"] = "eval", ["code"] = expression, ["timeoutMs"] = timeoutMs, ["capture"] = capture });

    /// <summary>Evaluates a Python expression as a typed result (<c>IPythonRuntime.EvaluateAsync&lt;T&gt;</c>, <paramref name="resultType"/> one of the TestHost's names such as <c>double[]</c>).</summary>
    public Task<PythonResponse> EvalAsAsync(string expression, string resultType) =>
        SendAsync(new JsonObject { ["op"] = "eval", ["code"] = expression, ["as"] = resultType });

    /// <summary>Calls a module's function (<c>IPythonRuntime.InvokeAsync&lt;object&gt;</c>) with JSON-serialisable arguments.</summary>
    public Task<PythonResponse> InvokeAsync(string module, string function, params object?[] args) =>
        SendAsync(new JsonObject { ["op"] = "invoke", ["module"] = module, ["function"] = function, ["args"] = JsonSerializer.SerializeToNode(args) });

    /// <summary>Runs a script file (<c>IPythonRuntime.RunFileAsync</c>).</summary>
    public Task<PythonResponse> RunFileAsync(string path, int? timeoutMs = null, bool capture = false) =>
        SendAsync(new JsonObject { ["op"] = "runfile", ["path"] = path, ["timeoutMs"] = timeoutMs, ["capture"] = capture });

    /// <summary>Gets the log entries the host has written so far, optionally of one category.</summary>
    /// <param name="category">The logger category, e.g. <c>PyHosting.Python.Stdout</c>.</param>
    /// <returns>The entries, oldest first.</returns>
    public async Task<IReadOnlyList<PythonLogEntry>> GetLogsAsync(string? category = null)
    {
        var response = (await SendAsync(new JsonObject { ["op"] = "logs", ["category"] = category })).EnsureOk();
        return [.. response.Result!.AsArray().Select(static e => new PythonLogEntry(
            (string)e!["category"]!, (string)e["level"]!, (int)e["eventId"]!, (string)e["message"]!))];
    }

    /// <summary>Sends a raw request; an <c>id</c> is added.</summary>
    /// <param name="request">The request.</param>
    /// <param name="timeout">How long to wait for the response; one minute by default.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The process exited before responding.</exception>
    public async Task<PythonResponse> SendAsync(JsonObject request, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = Interlocked.Increment(ref _nextId);
        request["id"] = id;
        var waiter = new TaskCompletionSource<PythonResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = waiter;
        await _writeGate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(request.ToJsonString());
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        return await waiter.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Stops the host gracefully (pending calls finish) and waits for the process to exit and its log to be read.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await SendAsync(new JsonObject { ["op"] = "stop" });
        }

        var exitCode = await WaitForExitAsync(DefaultTimeout) ?? throw new TimeoutException("PyHosting.TestHost did not exit after 'stop'.");

        // Everything the host logged while stopping (a child process that inherited the pipe may keep it open: bounded).
        await Task.WhenAny(_stderrPump, Task.Delay(TimeSpan.FromSeconds(5)));
        return exitCode;
    }

    /// <summary>Kills the process if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _writeGate.Dispose();
    }

    private static PythonProcess Launch(IEnumerable<KeyValuePair<string, string?>> configuration, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var startInfo = new ProcessStartInfo(TestHostLocator.Muxer)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(TestHostLocator.AssemblyPath);
        foreach (var (key, value) in configuration)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        // A TestHost must not inherit the test runner's environment name or stray Python settings.
        startInfo.Environment.Remove("DOTNET_ENVIRONMENT");
        startInfo.Environment.Remove("PYTHONNET_PYDLL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("PyHosting.TestHost could not be started.");
        return new PythonProcess(process);
    }

    private async Task<bool> WaitForReadyAsync(TimeSpan timeout) => await _ready.Task.WaitAsync(timeout) is not null;

    private async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task PumpStandardOutputAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                var message = JsonNode.Parse(line)!.AsObject();
                if (message["ready"] is not null)
                {
                    _ready.TrySetResult(message);
                }
                else if (message["id"] is { } id && _waiting.TryRemove((long)id, out var waiter))
                {
                    waiter.TrySetResult(new PythonResponse(message));
                }
            }
        }
        finally
        {
            _ready.TrySetResult(null);
            foreach (var waiter in _waiting.Values)
            {
                waiter.TrySetException(new InvalidOperationException($"PyHosting.TestHost exited before responding:\n{StandardError}"));
            }
        }
    }

    private async Task PumpStandardErrorAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }
}
