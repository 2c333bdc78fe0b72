using System.Diagnostics;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Resilience;

/// <summary>Exits end the call, not the host; waits in C no longer outlive the call's cancellation.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CallBoundaryTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("import sys\nsys.exit(0)")]
    [InlineData("import sys\nsys.exit()")]
    [InlineData("import os\nos._exit(0)")]
    [InlineData("raise SystemExit")]
    public async Task SuccessfulExit_EndsTheCallNotTheHost(string code)
    {
        var before = HostGuard.Before(fixture);

        await fixture.Runtime.ExecuteAsync(code + "\nraise AssertionError('the code after the exit ran')");

        await HostGuard.AssertUntouchedAsync(fixture, before);
    }

    [Fact]
    public async Task FailedExit_IsSystemExitWithItsCode()
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("import os\nos._exit(42)"));

        Assert.Equal(("SystemExit", "42"), (error.PythonType, error.PythonMessage));
        Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("1 + 1"));
    }

    [Fact]
    public async Task ImportLockHeldByAnotherCall_WaitingImportIsCancellable()
    {
        // The first call holds the global import lock for a while (its sleep releases the GIL); the second,
        // necessarily on another thread, needs it for its import and must end while the lock is still held.
        var holder = fixture.Runtime.ExecuteAsync("""
            import _imp, time
            _imp.acquire_lock()
            try:
                time.sleep(1.8)
            finally:
                _imp.release_lock()
            """);
        await Task.Delay(200);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Runtime.ExecuteAsync("import colorsys", cancel.Token));

        Assert.False(holder.IsCompleted, "the import waited until the lock was released");
        await holder;
        await fixture.Runtime.ExecuteAsync("import colorsys");
    }

    [Fact]
    public async Task LockWait_EndsWhenTheCallerCancels()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Runtime.ExecuteAsync(
            "import threading\ncondition = threading.Condition()\nwith condition:\n    condition.wait()", cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the wait lasted {clock.Elapsed}");
        Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("1 + 1"));
    }
}
