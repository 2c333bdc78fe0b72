using System.Diagnostics.Metrics;
using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Isolation.Tests;

public sealed record Point(int X, int Y, string Label);

public sealed class ProcessModeCallTests : IAsyncLifetime
{
    private readonly string _modules = Directory.CreateTempSubdirectory("pyhosting-isolation-").FullName;
    private IsolatedHost _host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_modules, "geometry.py"), """
            def point(x, y, label="p"):
                return {"x": x, "y": y, "label": label}

            def describe(*args, **kwargs):
                return [repr(a) for a in args] + sorted(f"{k}={v!r}" for k, v in kwargs.items())

            def shout(text):
                print(text.upper())
                return len(text)
            """);
        _host = await IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/app",
            ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = _modules,
            ["PythonRuntime:FileSystem:Mounts:0:ReadOnly"] = "true",
            ["PythonRuntime:ModulePaths:0"] = "/app",
            ["PythonRuntime:Permissions:IO"] = "ReadOnly",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_modules, recursive: true);
    }

    [Fact]
    public async Task Evaluate_ScalarsAndPlainData_ConvertAsInProcess()
    {
        var runtime = _host.Runtime;
        Assert.Equal(42, await runtime.EvaluateAsync<int>("6 * 7"));
        Assert.Equal("héllo", await runtime.EvaluateAsync<string>("'hé' + 'llo'"));
        Assert.Equal(BigInteger.Pow(2, 100), await runtime.EvaluateAsync<BigInteger>("2 ** 100"));
        Assert.Equal(1.5m, await runtime.EvaluateAsync<decimal>("__import__('decimal').Decimal('1.5')"));
        Assert.Equal(new DateOnly(2024, 2, 29), await runtime.EvaluateAsync<DateOnly>("__import__('datetime').date(2024, 2, 29)"));
        Assert.Equal(new byte[] { 1, 2, 3 }, await runtime.EvaluateAsync<byte[]>("bytes([1, 2, 3])"));
        Assert.Null(await runtime.EvaluateAsync<int?>("None"));
        var plain = await runtime.EvaluateAsync<object>("{'a': [1, 2.5, None, True], 'b': {1, 2}}");
        var dict = Assert.IsType<Dictionary<string, object?>>(plain);
        Assert.Equal(new List<object?> { 1L, 2.5, null, true }, dict["a"]);
        Assert.Equal(new HashSet<object?> { 1L, 2L }, Assert.IsType<HashSet<object?>>(dict["b"]));
        Assert.Equal(new object?[] { 1L, "x" }, await runtime.EvaluateAsync<object[]>("(1, 'x')"));
    }

    [Fact]
    public async Task Evaluate_TypedCollectionsAndRecords_BindFromTheJsonImage()
    {
        var runtime = _host.Runtime;
        Assert.Equal([1, 2, 3], await runtime.EvaluateAsync<List<int>>("[1, 2, 3]"));
        Assert.Equal(new Point(1, 2, "a"), await runtime.EvaluateAsync<Point>("{'x': 1, 'y': 2, 'label': 'a'}"));
        Assert.Equal(new Dictionary<string, double> { ["k"] = 0.5 }, await runtime.EvaluateAsync<Dictionary<string, double>>("{'k': 0.5}"));
    }

    [Fact]
    public async Task Evaluate_ValueThatDoesNotFit_IsInvalidCast()
    {
        var e = await Assert.ThrowsAsync<InvalidCastException>(() => _host.Runtime.EvaluateAsync<int>("'seven'"));
        Assert.Contains("str", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidCastException>(() => _host.Runtime.EvaluateAsync<int>("None"));
        await Assert.ThrowsAsync<InvalidCastException>(() => _host.Runtime.EvaluateAsync<int>("2 ** 40"));
        await Assert.ThrowsAsync<InvalidCastException>(() => _host.Runtime.EvaluateAsync<Point>("[1]"));
    }

    [Fact]
    public async Task Invoke_PositionalAndKeywordArguments_CrossTyped()
    {
        var runtime = _host.Runtime;
        var point = await runtime.InvokeAsync<Point>("geometry", "point", [3, 4], new Dictionary<string, object?> { ["label"] = "q" });
        Assert.Equal(new Point(3, 4, "q"), point);
        var described = await runtime.InvokeAsync<List<string>>(
            "geometry",
            "describe",
            [1.5m, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), new Point(1, 2, "r"), new byte[] { 0xff }, long.MaxValue, UInt128.MaxValue],
            new Dictionary<string, object?> { ["flag"] = true, ["items"] = new HashSet<int> { 7 } });
        Assert.Equal(
            [
                "Decimal('1.5')",
                "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)",
                "{'x': 1, 'y': 2, 'label': 'r'}",
                "b'\\xff'",
                "9223372036854775807",
                "340282366920938463463374607431768211455",
                "flag=True",
                "items={7}",
            ],
            described);
    }

    [Fact]
    public async Task Invoke_ArgumentWithoutPythonCounterpart_IsArgumentException()
        => await Assert.ThrowsAsync<ArgumentException>(() => _host.Runtime.InvokeAsync<object>("geometry", "point", [new Action(() => { }), 1]));

    [Fact]
    public async Task PythonError_SurfacesWithTypeAndTraceback()
    {
        var e = await Assert.ThrowsAsync<PythonScriptException>(() => _host.Runtime.InvokeAsync<object>("geometry", "point", [1]));
        Assert.Equal("TypeError", e.PythonType);
        Assert.Contains("missing 1 required positional argument", e.PythonMessage, StringComparison.Ordinal);

        var z = await Assert.ThrowsAsync<PythonScriptException>(() => _host.Runtime.ExecuteAsync("def f():\n    return 1 / 0\nf()"));
        Assert.Equal("ZeroDivisionError", z.PythonType);
        Assert.Contains("line 2", z.PythonTraceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_IsRedirectedPerCall()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int length;
        using (_host.Runtime.RedirectOutput(stdout, stderr))
        {
            length = await _host.Runtime.InvokeAsync<int>("geometry", "shout", ["quiet"]);
            await _host.Runtime.ExecuteAsync("import sys\nprint('oops', file=sys.stderr)");
        }

        Assert.Equal(5, length);
        Assert.Equal("QUIET\n", stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("oops\n", stderr.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManagedPermissions_AreEnforcedInTheWorker()
    {
        var e = await Assert.ThrowsAsync<PythonScriptException>(() => _host.Runtime.ExecuteAsync("open('/app/new.txt', 'w')"));
        Assert.Equal("PermissionError", e.PythonType);
        Assert.Contains("PythonRuntime:Permissions:IO", e.PythonMessage, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_modules, "new.txt")));
    }

    [Fact]
    public async Task Refusals_InTheWorker_AreCountedByTheHost()
    {
        using var metrics = new MeasurementRecorder(_host.Host.Services.GetRequiredService<IMeterFactory>());
        await Assert.ThrowsAsync<PythonScriptException>(() => _host.Runtime.ExecuteAsync("open('/app/other.txt', 'w')"));
        for (var i = 0; i < 50 && metrics.Of(PythonRuntimeMetrics.PermissionDenials).Count == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Contains(metrics.Of(PythonRuntimeMetrics.PermissionDenials), m => Equals(m.Tags[PythonRuntimeMetrics.PermissionTagName], PythonRuntimeConfigurationKeys.IO));
    }

    [Fact]
    public async Task State_PersistsWithinTheWorker()
    {
        await _host.Runtime.ExecuteAsync("counter = 41");
        Assert.Equal(42, await _host.Runtime.EvaluateAsync<int>("counter + 1"));
    }

    [Fact]
    public async Task Cancellation_InterruptsAPythonLoop_AndTheWorkerStays()
    {
        var worker = _host.WorkerId;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _host.Runtime.ExecuteAsync("while True:\n    pass", cts.Token));
        Assert.Equal(2, await _host.Runtime.EvaluateAsync<int>("1 + 1"));
        Assert.Equal(worker, _host.WorkerId);
    }
}
