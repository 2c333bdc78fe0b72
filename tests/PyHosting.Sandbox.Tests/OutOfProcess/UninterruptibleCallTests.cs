using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// C code that neither runs bytecode nor checks for signals cannot be stopped in-process (CPython's own Ctrl+C
/// cannot stop it either). The limit this sets: the caller is released, the host keeps serving and stops.
/// Its own process, because such a call keeps the interpreter for good.
/// </summary>
public sealed class UninterruptibleCallTests
{
    [Fact]
    public async Task PureCLoop_ReleasesItsCallerAndTheNextOne_TheHostKeepsServingAndStops()
    {
        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:ExecutionTimeout"] = "00:00:01" });

        var stuck = await python.ExecAsync("import collections, itertools\ncollections.deque(itertools.count(), maxlen=0)");
        var waiting = await python.EvalAsync("1 + 1");

        Assert.Equal("TimeoutException", stuck.Type);
        Assert.Contains("keeps running", stuck.Message, StringComparison.Ordinal);
        Assert.Equal("TimeoutException", waiting.Type);
        Assert.Equal("pong", (string?)(await python.SendAsync(new System.Text.Json.Nodes.JsonObject { ["op"] = "ping" })).Result);
        Assert.Equal(0, await python.StopAsync());
        Assert.Contains("stop did not get the interpreter", python.StandardError, StringComparison.Ordinal);
    }
}
