using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// Stopping the host while Python code still runs (a call that did not stop, a daemon thread, a thread blocked in
/// a lock) must not finalise the interpreter under that code, which crashed the process: the host flushes Python's
/// streams, leaves the interpreter as it is with a warning, and the process exits with code 0 and no signal.
/// Each in its own process, because the interpreter is not finalised.
/// </summary>
public sealed class StopWhileRunningTests
{
    private const string LeftRunning = "left the interpreter as it is";

    [Fact]
    public async Task Stop_WhileACallThatWasReleasedStillRuns_ExitsCleanly()
    {
        // The Native backend's sleep is not interrupted: the caller is released and the call goes on sleeping.
        await using var python = await PythonProcess.StartAsync(PythonProcess.Native());

        var released = await python.ExecAsync("import time\ntime.sleep(3600)", timeoutMs: 200);

        Assert.Equal("OperationCanceledException", released.Type);
        Assert.Contains("keeps running", released.Message, StringComparison.Ordinal);
        Assert.Equal(0, await python.StopAsync());
        Assert.Contains(LeftRunning, python.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WhileADaemonThreadLoops_ExitsCleanly()
    {
        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:Permissions:CreateThread"] = "true" });

        var started = await python.ExecAsync("""
            import threading
            running = threading.Event()
            def spin():
                running.set()
                while True:
                    try:
                        while True:
                            pass
                    except BaseException:
                        pass
            threading.Thread(target=spin, daemon=True).start()
            running.wait()
            """);

        Assert.Null(started.Type);
        Assert.Equal(0, await python.StopAsync());
        Assert.Contains(LeftRunning, python.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WhileAThreadIsBlockedInALock_ExitsCleanly()
    {
        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:Permissions:CreateThread"] = "true" });

        var started = await python.ExecAsync("""
            import threading, time
            held = threading.Lock()
            held.acquire()
            waiter = threading.Thread(target=held.acquire, daemon=True)
            waiter.start()
            while not waiter.is_alive():
                time.sleep(0.01)
            """);

        Assert.Null(started.Type);
        Assert.Equal(0, await python.StopAsync());
        Assert.Contains(LeftRunning, python.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WithNothingRunning_FinalisesAndExitsCleanly()
    {
        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?>());

        Assert.Equal(2, (await python.EvalAsync("1 + 1")).GetResult<int>());
        Assert.Equal(0, await python.StopAsync());
        Assert.DoesNotContain(LeftRunning, python.StandardError, StringComparison.Ordinal);
    }
}
