using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// An emulated timer and the host's stop: a timer left armed by a finished call, and a repeating one armed by a call
/// still waiting for it when the call is released and the host stops, end nothing but that call; the process exits
/// with code 0 and no signal. In its own process, because the runtime is stopped.
/// </summary>
public sealed class SignalTimerStopTests
{
    [Fact]
    public async Task TimersArmedThenTheRuntimeStopped_TheHostExitsCleanly()
    {
        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?>());

        var armed = await python.ExecAsync("""
            import signal
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
            signal.alarm(1)
            """);
        Assert.Null(armed.Type);
        await Task.Delay(300);
        Assert.Equal(2, (await python.EvalAsync("1 + 1")).GetResult<int>());

        var waiting = await python.ExecAsync("""
            import signal
            signal.signal(signal.SIGALRM, lambda *args: None)
            signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
            while True:
                signal.pause()
            """, timeoutMs: 300);

        Assert.Equal("OperationCanceledException", waiting.Type);
        Assert.DoesNotContain("keeps running", waiting.Message, StringComparison.Ordinal);
        Assert.Equal(0, await python.StopAsync());
    }
}
