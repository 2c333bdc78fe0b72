using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// <c>signal.alarm</c> and <c>setitimer(ITIMER_REAL)</c> run on the runtime's clock (the fixture's
/// <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/> drives them) and deliver <c>SIGALRM</c> to the call
/// that armed them: the handler runs in the call's thread, a blocking wait is interrupted (its handler's exception
/// propagates, or the wait goes on, PEP 475), <c>SIG_IGN</c> discards the signal, <c>SIG_DFL</c> ends the call.
/// A timer ends with its call. Signals a call sends itself run their handler at once unless masked.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class SignalTimerTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Alarm_InterruptsABlockingPipeRead_AndTheHandlersExceptionPropagates()
    {
        var marker = ManagedRuntimeFixture.Unique("alarm-read");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import os, signal
            class Alarm(Exception):
                pass
            def handler(number, frame):
                raise Alarm(number, frame is not None)
            previous = signal.signal(signal.SIGALRM, handler)
            r, w = os.pipe()
            try:
                try:
                    signal.alarm(5)
                    open('/tmp/{{marker}}', 'w').close()
                    os.read(r, 1)
                    return 'the read returned'
                except Alarm as e:
                    return f'{e.args} {signal.alarm(0)} {signal.getitimer(signal.ITIMER_REAL)}'
            finally:
                signal.signal(signal.SIGALRM, previous)
                os.close(r)
                os.close(w)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(200, limit.Token);
        Assert.False(call.IsCompleted);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("(14, True) 0 (0.0, 0.0)", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task Alarm_WhoseHandlerReturns_LetsTheInterruptedReadGoOn()
    {
        var marker = ManagedRuntimeFixture.Unique("alarm-retry");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import os, signal
            r, w = os.pipe()
            calls = []
            def handler(number, frame):
                calls.append(number)
                os.write(w, b'written by the handler')
            previous = signal.signal(signal.SIGALRM, handler)
            try:
                signal.alarm(2)
                open('/tmp/{{marker}}', 'w').close()
                data = os.read(r, 100)
                return f'{data!r} {calls}'
            finally:
                signal.signal(signal.SIGALRM, previous)
                os.close(r)
                os.close(w)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal("b'written by the handler' [14]", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task Getitimer_ReportsTheTimeLeftOnTheRuntimesClock()
    {
        var marker = ManagedRuntimeFixture.Unique("getitimer");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import signal, time
            previous = signal.signal(signal.SIGALRM, lambda n, f: None)
            try:
                before = signal.setitimer(signal.ITIMER_REAL, 10, 0.25)
                armed = signal.getitimer(signal.ITIMER_REAL)
                open('/tmp/{{marker}}', 'w').close()
                time.sleep(4)
                later = signal.getitimer(signal.ITIMER_REAL)
                return f'{before} {armed} {later} {signal.setitimer(signal.ITIMER_REAL, 0)} {signal.getitimer(signal.ITIMER_REAL)}'
            finally:
                signal.signal(signal.SIGALRM, previous)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal("(0.0, 0.0) (10.0, 0.25) (6.0, 0.25) (6.0, 0.25) (0.0, 0.0)", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task Setitimer_WithAnInterval_KeepsSendingSigalrm()
    {
        var marker = ManagedRuntimeFixture.Unique("setitimer");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import signal, time
            seen = []
            previous = signal.signal(signal.SIGALRM, lambda n, f: seen.append(time.monotonic() - start))
            try:
                start = time.monotonic()
                signal.setitimer(signal.ITIMER_REAL, 1, 0.5)
                open('/tmp/{{marker}}', 'w').close()
                while len(seen) < 3:
                    signal.pause()
                signal.setitimer(signal.ITIMER_REAL, 0)
                return repr(seen[:3])
            finally:
                signal.signal(signal.SIGALRM, previous)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        // One expiry at a time, each handled before the next (expiries not yet handled are one signal, as in a kernel).
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 40 && !call.IsCompleted; i++)
        {
            await Task.Delay(150, limit.Token);
            fixture.Clock.Advance(TimeSpan.FromSeconds(0.5));
        }

        var seen = await call.WaitAsync(limit.Token);
        Assert.Equal("[1.0, 1.5, 2.0]", seen);
    }

    [Fact]
    public async Task SigIgn_DiscardsTheAlarm_AndTheSleepEnds()
    {
        var marker = ManagedRuntimeFixture.Unique("sig-ign");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import signal, time
            previous = signal.signal(signal.SIGALRM, signal.SIG_IGN)
            try:
                signal.alarm(1)
                open('/tmp/{{marker}}', 'w').close()
                start = time.monotonic()
                time.sleep(3)
                return f'slept {time.monotonic() - start}'
            finally:
                signal.signal(signal.SIGALRM, previous)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(200, limit.Token);
        Assert.False(call.IsCompleted);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal("slept 3.0", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task SigDfl_EndsTheCallWithSystemExitNamingSigalrm_AndTheRuntimeGoesOn()
    {
        var marker = ManagedRuntimeFixture.Unique("sig-dfl");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.Runtime.ExecuteAsync($$"""
            import signal, time
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(1)
            open('/tmp/{{marker}}', 'w').close()
            time.sleep(10)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(100, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<PythonScriptException>(() => call.WaitAsync(limit.Token));
        Assert.Equal("SystemExit", error.PythonType);
        Assert.Contains("SIGALRM", error.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("1 + 1", limit.Token));
    }

    [Fact]
    public async Task Alarm_InterruptsAPurePythonLoop()
    {
        var marker = ManagedRuntimeFixture.Unique("alarm-loop");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import signal
            class Alarm(Exception):
                pass
            def handler(number, frame):
                raise Alarm()
            previous = signal.signal(signal.SIGALRM, handler)
            try:
                signal.alarm(1)
                spins = 0
                open('/tmp/{{marker}}', 'w').close()
                while True:
                    spins += 1
            except Alarm:
                return 'interrupted'
            finally:
                signal.signal(signal.SIGALRM, previous)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("interrupted", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task BufferedWriteToAFullPipe_IsInterrupted_WithWhatWasWrittenKept()
    {
        var marker = ManagedRuntimeFixture.Unique("alarm-write");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>($$"""
            import io, os, signal
            r, w = os.pipe()
            previous = signal.signal(signal.SIGALRM, lambda n, f: 1 / 0)
            writer = io.open(w, 'wb', closefd=False)
            try:
                signal.alarm(1)
                open('/tmp/{{marker}}', 'w').close()
                try:
                    writer.write(b'x' * (3 * 1024 * 1024))
                    return 'written'
                except ZeroDivisionError:
                    signal.alarm(0)
                    os.set_blocking(r, False)
                    total = 0
                    while True:
                        try:
                            total += len(os.read(r, 1 << 20))
                        except BlockingIOError:
                            break
                    return f'ZeroDivisionError after {total} bytes'
            finally:
                signal.signal(signal.SIGALRM, previous)
                os.close(r)
                os.close(w)
            """, limit.Token);
        await WaitForFileAsync(marker, limit.Token);
        await Task.Delay(200, limit.Token);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("ZeroDivisionError after 1048576 bytes", await call.WaitAsync(limit.Token));
    }

    [Fact]
    public async Task ATimer_EndsWithTheCallThatArmedIt()
    {
        Assert.Equal("0 100", await fixture.RunAsync<string>("""
            import signal
            signal.signal(signal.SIGALRM, lambda n, f: None)
            return f'{signal.alarm(100)} {signal.setitimer(signal.ITIMER_REAL, 50)[0]:.0f}'
            """));

        fixture.Clock.Advance(TimeSpan.FromSeconds(200));

        Assert.Equal("0 (0.0, 0.0)", await fixture.RunAsync<string>("""
            import signal
            try:
                return f'{signal.alarm(0)} {signal.getitimer(signal.ITIMER_REAL)}'
            finally:
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
            """));
    }

    [Fact]
    public async Task SignalsSentToItself_RunTheHandlerAtOnce_UnlessMasked()
    {
        var result = await fixture.RunAsync<string>("""
            import signal, threading
            seen = []
            previous = signal.signal(signal.SIGUSR1, lambda n, f: seen.append(n))
            try:
                signal.raise_signal(signal.SIGUSR1)
                signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
                outcome = [list(seen)]
                old = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
                signal.raise_signal(signal.SIGUSR1)
                outcome += [sorted(old), list(seen), sorted(signal.sigpending())]
                blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
                outcome += [sorted(blocked), list(seen), sorted(signal.sigpending())]
                signal.pthread_kill(threading.get_ident(), 0)
                return repr(outcome)
            finally:
                signal.signal(signal.SIGUSR1, previous)
            """);

        Assert.Equal("[[10, 10], [], [10, 10], [<Signals.SIGUSR1: 10>], [<Signals.SIGUSR1: 10>], [10, 10, 10], []]", result);
    }

    [Fact]
    public async Task CpuTimeTimers_AreRefusedClearly_AndBadValuesRaiseAsInCPython()
    {
        var result = await fixture.RunAsync<string>("""
            import io, signal
            outcome = []
            for attempt in (lambda: signal.setitimer(signal.ITIMER_VIRTUAL, 1), lambda: signal.setitimer(signal.ITIMER_REAL, float('nan')),
                            lambda: signal.setitimer(signal.ITIMER_REAL, float('inf')), lambda: signal.setitimer(signal.ITIMER_REAL, -1),
                            lambda: signal.setitimer(7, 1), lambda: signal.getitimer(-1)):
                try:
                    attempt()
                    outcome.append('accepted')
                except signal.ItimerError:
                    outcome.append('ItimerError')
                except Exception as e:
                    outcome.append(type(e).__name__)
            outcome.append(signal.setitimer(signal.ITIMER_PROF, 0))
            outcome.append(signal.getitimer(signal.ITIMER_VIRTUAL))
            return repr(outcome)
            """);

        Assert.Equal("['UnsupportedOperation', 'ValueError', 'OverflowError', 'ItimerError', 'ItimerError', 'ItimerError', (0.0, 0.0), (0.0, 0.0)]", result);
    }

    [Fact]
    public async Task SignalsFromAThreadTheCallStarted_RunTheHandlerInTheCallsThread()
    {
        var result = await fixture.RunAsync<string>("""
            import os, signal, threading, time
            caller = threading.get_ident()
            seen = []
            previous = signal.signal(signal.SIGUSR2, lambda n, f: seen.append((n, threading.get_ident() == caller)))
            try:
                def send():
                    signal.raise_signal(signal.SIGUSR2)
                    signal.pthread_kill(caller, signal.SIGUSR2)
                    os.kill(os.getpid(), signal.SIGUSR2)
                t = threading.Thread(target=send)
                t.start()
                t.join()
                deadline = time.perf_counter() + 10
                while len(seen) < 1 and time.perf_counter() < deadline:
                    pass
                return repr(seen[:1])
            finally:
                signal.signal(signal.SIGUSR2, previous)
            """);

        Assert.Equal("[(12, True)]", result);
    }

    [Fact]
    public async Task KillOfTheRuntimesOwnPid_IsEmulated_AndHandlersAreCheckedAsInCPython()
    {
        var result = await fixture.RunAsync<string>("""
            import os, signal
            seen = []
            previous = signal.signal(signal.SIGUSR1, lambda n, f: seen.append(n))
            outcome = []
            try:
                os.kill(os.getpid(), signal.SIGUSR1)
                os.kill(os.getpid(), 0)
                outcome.append(list(seen))
                for handler in (None, 'x', 2):
                    try:
                        signal.signal(signal.SIGUSR1, handler)
                    except TypeError:
                        outcome.append('TypeError')
                try:
                    signal.signal(signal.SIGKILL, lambda n, f: None)
                except OSError as e:
                    outcome.append(e.errno)
            finally:
                signal.signal(signal.SIGUSR1, previous)
            return repr(outcome)
            """);

        Assert.Equal("[[10], 'TypeError', 'TypeError', 'TypeError', 22]", result);
    }

    private async Task WaitForFileAsync(string name, CancellationToken cancellationToken)
    {
        while (fixture.Tmp.GetStatus("/" + name) is null)
        {
            await Task.Delay(5, cancellationToken);
        }
    }
}
