using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;

namespace PyHosting.Runtime.Tests;

public class SmokeTests
{
    [Fact]
    public async Task Native_Evaluates()
    {
        var options = new PythonRuntimeOptions { Backend = PythonBackend.Native };
        PythonRuntime? runtime = null;
        runtime = new PythonRuntime(options, new NativeBackend(options, () => runtime!.DefaultSink), TimeProvider.System, NullLoggerFactory.Instance);
        runtime.Start();
        Assert.Equal(2, await runtime.EvaluateAsync<int>("1+1"));
        var w = new StringWriter();
        using (runtime.RedirectOutput(w))
        {
            await runtime.ExecuteAsync("print('hello')");
        }
        Assert.Equal("hello\n", w.ToString());
        var ex = await Assert.ThrowsAsync<PythonScriptException>(() => runtime.ExecuteAsync("1/0"));
        Assert.Equal("ZeroDivisionError", ex.PythonType);
        using var cts = new CancellationTokenSource(300);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.ExecuteAsync("while True: pass", cts.Token));
        Assert.Equal(3, await runtime.EvaluateAsync<int>("1+2"));
        runtime.Stop();
    }
}
