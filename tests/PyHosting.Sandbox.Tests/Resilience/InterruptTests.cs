using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Resilience;

/// <summary>How interrupts reach calls busy in C and calls that swallow them, one call or several at once.</summary>
[Collection(SandboxCollection.Name)]
public sealed class InterruptTests(SandboxFixture fixture)
{
    private const string Backtracking = "import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')";

    [Fact]
    public async Task CallBusyInC_IsInterruptedWhileAnotherInterruptedCallWaitsForTheGil()
    {
        // Enough pool threads that both calls start at once: what is measured is the interrupt, not thread injection.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completionPorts);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        // A Python loop runs, then a match takes the GIL from it in C and keeps it: the loop waits for the GIL.
        var spinning = fixture.Runtime.ExecuteAsync("while True:\n    pass", first.Token);
        Thread.Sleep(200);
        var busy = fixture.Runtime.ExecuteAsync(Backtracking, second.Token);
        Thread.Sleep(300);

        // Both calls hold pool threads: the test's own timing must not need one.
        var canceller = new Thread(() =>
        {
            first.Cancel();
            Thread.Sleep(200);
            second.Cancel();
        });
        canceller.Start();

        // A call that did not stop would release its caller with "keeps running" in the message.
        var busyError = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => busy);
        var spinningError = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spinning);
        Assert.DoesNotContain("keeps running", busyError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("keeps running", spinningError.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("1 + 1"));
    }

    [Fact]
    public async Task InterruptedCall_LeavesNoInterruptForTheNextCallsOnAnyThread()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Runtime.ExecuteAsync(Backtracking, cancel.Token));

        // Busy calls after it, on whatever pool threads run them: no interrupt was left pending for them.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.Runtime.EvaluateAsync<long>(
            "sum(len(__import__('re').findall('a', 'a' * 2000)) for _ in range(300))")));

        Assert.All(results, static r => Assert.Equal(600_000L, r));
    }

    [Fact]
    public async Task SwallowingLoop_IsInterruptedAndItsTraceFunctionRemoved()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Runtime.ExecuteAsync(
            "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass", cancel.Token));

        Assert.DoesNotContain("keeps running", error.Message, StringComparison.Ordinal);
        Assert.Equal("None", await fixture.Runtime.EvaluateAsync<string>("repr(__import__('sys').gettrace())"));
        Assert.Equal(45L, await fixture.Runtime.EvaluateAsync<long>("sum(range(10))"));
    }
}
