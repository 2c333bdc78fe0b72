using System.Text.Json.Nodes;
using PyHosting.Testing;

namespace PyHosting.Hosting.Tests.Integration;

/// <summary>
/// What every backend must do, run against a real host in a TestHost process. Each backend
/// subclasses this with its own fixture (configuration).
/// </summary>
public abstract class PythonRuntimeBehaviourTests(PythonProcessFixture fixture)
{
    protected PythonProcess Python => fixture.Process;

    [Fact]
    public async Task Evaluate_Arithmetic_ReturnsPlainData()
    {
        Assert.Equal(1025, (await Python.EvalAsync("2 ** 10 + 1")).GetResult<long>());
        Assert.Equal(3.5, (await Python.EvalAsync("7 / 2")).GetResult<double>());
        Assert.Equal("aaa", (await Python.EvalAsync("'a' * 3")).GetResult<string>());
        Assert.Equal("12345678901234567890123", (await Python.EvalAsync("12345678901234567890123")).GetResult<string>());
        var data = (await Python.EvalAsync("[1, 'x', None, True, {'k': [2.5]}]")).EnsureOk().Result!.ToJsonString();
        Assert.Equal("""[1,"x",null,true,{"k":[2.5]}]""", data);
    }

    [Fact]
    public async Task Interpreter_IgnoresUserSiteAndPythonEnvironmentVariables()
    {
        var flags = await Python.EvalAsync("(__import__('sys').flags.no_user_site, __import__('sys').flags.ignore_environment)");

        Assert.Equal([1, 1], flags.GetResult<int[]>()!);
    }

    [Fact]
    public async Task Execute_ThenEvaluate_SharesMainNamespaceAndImports()
    {
        (await Python.ExecAsync("import json, math, collections\nbehaviour_counter = collections.Counter('abracadabra')")).EnsureOk();

        Assert.Equal("""{"a": 5, "b": 2}""", (await Python.EvalAsync("json.dumps({k: behaviour_counter[k] for k in 'ab'})")).GetResult<string>());
        Assert.Equal(2, (await Python.EvalAsync("math.floor(2.5)")).GetResult<long>());
    }

    [Fact]
    public async Task Invoke_ModuleFunction_ConvertsArgumentsAndResult()
    {
        Assert.Equal(1024.0, (await Python.InvokeAsync("math", "pow", 2, 10)).GetResult<double>());
        Assert.Equal("""{"a": [1, "b"]}""", (await Python.InvokeAsync("json", "dumps", new Dictionary<string, object> { ["a"] = new object[] { 1, "b" } })).GetResult<string>());
    }

    [Fact]
    public async Task Invoke_MissingModule_IsModuleNotFoundError()
    {
        var response = await Python.InvokeAsync("no_such_module_here", "f");

        Assert.Equal(("PythonScriptException", "ModuleNotFoundError"), (response.Type, response.PythonType));
        Assert.Contains("no_such_module_here", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_RaisingCode_IsPythonScriptExceptionWithTypeMessageAndTraceback()
    {
        var response = await Python.ExecAsync("def behaviour_fail():\n    raise ValueError('bad value')\n\nbehaviour_fail()\n");

        Assert.False(response.Ok);
        Assert.Equal("PythonScriptException", response.Type);
        Assert.Equal("ValueError", response.PythonType);
        Assert.Equal("bad value", response.PythonMessage);
        Assert.Equal("ValueError: bad value", response.Message);
        Assert.Contains("Traceback (most recent call last)", response.Traceback, StringComparison.Ordinal);
        Assert.Contains("in behaviour_fail", response.Traceback, StringComparison.Ordinal);
        Assert.Contains("ValueError: bad value", response.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_Errors_KeepTheirQualifiedPythonType()
    {
        Assert.Equal("ZeroDivisionError", (await Python.EvalAsync("1 / 0")).PythonType);
        Assert.Equal("SyntaxError", (await Python.ExecAsync("def (")).PythonType);
        Assert.Equal("json.decoder.JSONDecodeError", (await Python.ExecAsync("import json\njson.loads('{')")).PythonType);
    }

    [Fact]
    public async Task Execute_InfiniteLoop_IsCancelledAndTheRuntimeStaysUsable()
    {
        var response = await Python.ExecAsync("while True: pass", timeoutMs: 200);

        Assert.Equal("OperationCanceledException", response.Type);
        Assert.Equal(2, (await Python.EvalAsync("1 + 1")).GetResult<long>());
    }

    [Theory]
    [InlineData("import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')")]
    [InlineData("10 ** (10 ** 8)")]
    [InlineData("while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass")]
    public async Task Execute_CodeBusyInCOrSwallowingTheInterrupt_IsCancelled(string code)
    {
        var response = await Python.ExecAsync(code, timeoutMs: 200);

        Assert.Equal("OperationCanceledException", response.Type);
        Assert.DoesNotContain("keeps running", response.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await Python.EvalAsync("1 + 1")).GetResult<long>());
    }

    [Fact]
    public async Task Print_GoesToTheStdoutAndStderrLoggers()
    {
        (await Python.ExecAsync("import sys\nprint('behaviour: to stdout')\nprint('behaviour: to stderr', file=sys.stderr)")).EnsureOk();

        var stdout = await Python.GetLogsAsync("PyHosting.Python.Stdout");
        var stderr = await Python.GetLogsAsync("PyHosting.Python.Stderr");
        Assert.Contains(stdout, static e => e.Message == "behaviour: to stdout" && e.Level == "Information");
        Assert.Contains(stderr, static e => e.Message == "behaviour: to stderr" && e.Level == "Warning");
    }

    [Fact]
    public async Task RedirectOutput_SendsOutputToTheWritersInsteadOfTheLoggers()
    {
        var response = await Python.ExecAsync("import sys\nprint('behaviour: captured')\nsys.stderr.write('behaviour: captured error')", capture: true);

        Assert.Equal("behaviour: captured\n", response.EnsureOk().Stdout);
        Assert.Equal("behaviour: captured error", response.Stderr);
        Assert.DoesNotContain(await Python.GetLogsAsync(), static e => e.Message.Contains("behaviour: captured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SixteenConcurrentCallers_AllComplete()
    {
        (await Python.ExecAsync("import time\ndef behaviour_work(i):\n    time.sleep(0.01)\n    return sum(range(i * 1000))")).EnsureOk();

        var calls = Enumerable.Range(0, 16).Select(i => i % 2 == 0
            ? Python.EvalAsync($"behaviour_work({i})")
            : Python.SendAsync(new JsonObject { ["op"] = "invoke", ["module"] = "__main__", ["function"] = "behaviour_work", ["args"] = new JsonArray(i) }));
        var results = await Task.WhenAll(calls);

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(Enumerable.Range(0, i * 1000).Sum(static x => (long)x), results[i].GetResult<long>());
        }
    }
}
