using System.Diagnostics;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Resilience;

/// <summary>
/// The emulated <c>signal.alarm</c>/<c>setitimer</c> under hostile use: values CPython refuses are refused the same
/// way and the others are harmless; the tiniest repeating timer neither starves the host nor keeps the call from
/// ending; a handler that re-arms forever, under a loop that swallows every interrupt, is still stopped by the
/// call's timeout.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SignalTimerAbuseTests(SandboxFixture fixture)
{
    [Fact]
    public async Task HostileTimerValues_AreRefusedOrHarmless()
    {
        var result = await RunAsync("""
            import signal
            outcome = [signal.alarm(0), signal.alarm(-1), signal.alarm(0)]
            for call in (lambda: signal.alarm(2 ** 31), lambda: signal.alarm(2 ** 64), lambda: signal.alarm(1.5),
                         lambda: signal.setitimer(0, float('nan')), lambda: signal.setitimer(0, float('inf')),
                         lambda: signal.setitimer(0, 1e300), lambda: signal.setitimer(0, 1, float('nan')),
                         lambda: signal.setitimer(0, -1e-9), lambda: signal.setitimer(0, 0, -5), lambda: signal.setitimer(2 ** 40, 1)):
                try:
                    call()
                    outcome.append('accepted')
                except signal.ItimerError:
                    outcome.append('ItimerError')
                except Exception as e:
                    outcome.append(type(e).__name__)
            outcome.append(signal.getitimer(signal.ITIMER_REAL))
            return repr(outcome)
            """);

        Assert.Equal(
            "[0, 0, 4294967295, 'OverflowError', 'OverflowError', 'TypeError', 'ValueError', 'OverflowError', 'OverflowError', 'ValueError', 'accepted', 'ItimerError', 'OverflowError', (0.0, 0.0)]",
            result);
    }

    [Fact]
    public async Task TheTiniestRepeatingTimer_InATightLoop_DoesNotStarveTheHost()
    {
        // A .NET ticker runs beside the call: the timer's deliveries must leave the host's threads their time.
        using var stop = new CancellationTokenSource();
        var ticks = 0;
        var ticker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(10, CancellationToken.None);
                Interlocked.Increment(ref ticks);
            }
        });

        var result = await RunAsync("""
            import signal, time
            handled = [0]
            signal.signal(signal.SIGALRM, lambda *a: handled.__setitem__(0, handled[0] + 1))
            signal.setitimer(signal.ITIMER_REAL, 1e-9, 1e-9)
            start = time.monotonic()
            spins = 0
            while time.monotonic() - start < 0.5:
                spins += 1
            left = signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            return f'{handled[0]} {spins} {left[1]}'
            """);
        await stop.CancelAsync();
        await ticker;

        var parts = result!.Split(' ');
        var handled = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(handled, 1, 600); // at most one delivery per millisecond (the shortest period), and more than none
        Assert.True(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("1e-06", parts[2]); // the interval as set, rounded up to the microsecond as CPython does
        Assert.True(ticks >= 3, $"the host's ticker ran {ticks} times in half a second");
    }

    [Fact]
    public async Task AHandlerThatReArmsForever_UnderALoopThatSwallowsEverything_EndsAtTheCallsTimeout()
    {
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => fixture.Runtime.ExecuteAsync("""
            import signal
            def again(*args):
                signal.setitimer(signal.ITIMER_REAL, 0.001)
            signal.signal(signal.SIGALRM, again)
            signal.setitimer(signal.ITIMER_REAL, 0.001)
            while True:
                try:
                    signal.pause()
                except BaseException:
                    pass
            """));

        Assert.DoesNotContain("keeps running", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the call ended after {watch.Elapsed}");
        Assert.Equal("0 (0.0, 0.0)", await RunAsync("""
            import signal
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            return f'{signal.alarm(0)} {signal.getitimer(signal.ITIMER_REAL)}'
            """));
    }

    [Fact]
    public async Task AnAlarmLeftArmed_NeverFiresIntoALaterCall()
    {
        Assert.Equal("0.3", await RunAsync("""
            import signal
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, 0.3, 0.3)
            return str(signal.getitimer(signal.ITIMER_REAL)[1])
            """));

        // The default action would end any call it reached: a second of calls sees none.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("__import__('time').sleep(0.02) or 1 + 1"));
        }
    }

    /// <summary>Runs <paramref name="body"/> as the body of a function and returns what it returns.</summary>
    private async Task<string?> RunAsync(string body)
    {
        var code = "def _signal_abuse():\n" + string.Join('\n', body.Split('\n').Select(static l => "    " + l)) + "\n";
        await fixture.Runtime.ExecuteAsync(code);
        return await fixture.Runtime.EvaluateAsync<string>("_signal_abuse()");
    }
}
