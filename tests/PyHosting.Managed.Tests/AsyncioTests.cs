using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// asyncio on the runtime's own clock and descriptors, with threads and processes allowed and HostSockets false:
/// the fixture's <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/> drives <c>asyncio.sleep</c> and the
/// selector's timeouts; executors run on threads; children's pipes are virtual descriptors the selector watches.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class AsyncioTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task AsyncioSleep_IsDrivenByTheFakeClock()
    {
        var run = fixture.RunAsync<string>("""
            import asyncio, time
            async def main():
                loop = asyncio.get_running_loop()
                start, wall = loop.time(), time.time()
                fired = []
                loop.call_later(1800, fired.append, 'half')
                await asyncio.sleep(3600)
                return f'{loop.time() - start:.0f}|{time.time() - wall:.0f}|{fired}'
            return asyncio.run(main())
            """);

        // Nothing moves until the fake clock does: an hour of Python time passes in steps.
        var steps = 0;
        while (!run.IsCompleted && steps < 2000)
        {
            await Task.Delay(5);
            fixture.Clock.Advance(TimeSpan.FromSeconds(60));
            steps++;
        }

        Assert.True(run.IsCompleted, "asyncio.sleep(3600) did not end as the fake clock advanced");
        var parts = (await run)!.Split('|');
        Assert.InRange(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), 3600, 3720);
        Assert.InRange(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 3600, 3720);
        Assert.Equal("['half']", parts[2]);
    }

    [Fact]
    public async Task SocketRecvTimeout_FollowsTheFakeClock()
    {
        var run = fixture.RunAsync<string>("""
            import socket, time
            a, b = socket.socketpair()
            b.settimeout(600)
            start = time.monotonic()
            try:
                b.recv(1)
                return 'received'
            except TimeoutError:
                return f'{time.monotonic() - start:.0f}'
            finally:
                a.close(); b.close()
            """);

        for (var i = 0; i < 2000 && !run.IsCompleted; i++)
        {
            await Task.Delay(5);
            fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.True(run.IsCompleted, "the timeout did not follow the fake clock");
        Assert.InRange(int.Parse((await run)!, System.Globalization.CultureInfo.InvariantCulture), 600, 660);
    }

    [Fact]
    public async Task ToThreadAndRunInExecutor_WakeTheLoopFromAnotherThread()
    {
        var result = await fixture.RunAsync<string>("""
            import asyncio, threading
            async def main():
                loop = asyncio.get_running_loop()
                a = await asyncio.to_thread(sum, [1, 2, 3])
                b = await loop.run_in_executor(None, lambda: threading.current_thread() is not threading.main_thread())
                done = asyncio.Event()
                threading.Thread(target=lambda: loop.call_soon_threadsafe(done.set)).start()
                await done.wait()
                return f'{a}|{b}|{done.is_set()}'
            return asyncio.run(main())
            """);

        Assert.Equal("6|True|True", result);
    }

    [Fact]
    public async Task CreateSubprocessExec_ReadsTheChildsOutputThroughVirtualPipes()
    {
        var result = await fixture.RunAsync<string>("""
            import asyncio
            async def main():
                proc = await asyncio.create_subprocess_exec(
                    'cat', stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                out, err = await proc.communicate(b'to the child and back\n' * 1000)
                echo = await asyncio.create_subprocess_exec('echo', 'hi', stdout=asyncio.subprocess.PIPE)
                line = await echo.stdout.readline()
                code = await echo.wait()
                return f'{len(out)}|{out[:21]!r}|{err!r}|{proc.returncode}|{line!r}|{code}'
            return asyncio.run(main())
            """);

        Assert.Equal("22000|b'to the child and back'|b''|0|b'hi\\n'|0", result);
    }

    [Fact]
    public async Task CancellingTheCall_EndsARunningEventLoop()
    {
        using var cts = new CancellationTokenSource();
        var run = fixture.RunAsync<string>("""
            import asyncio
            async def main():
                await asyncio.sleep(10 ** 6)
            asyncio.run(main())
            return 'finished'
            """, cts.Token);

        await Task.Delay(300);
        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        var error = await Record.ExceptionAsync(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(7L, await fixture.RunAsync<long>("return 3 + 4"));
    }

    [Fact]
    public async Task SelectOverAPipeToAChild_SeesItsOutput()
    {
        var result = await fixture.RunAsync<string>("""
            import selectors, subprocess
            p = subprocess.Popen(['echo', 'ready'], stdout=subprocess.PIPE)
            with selectors.DefaultSelector() as sel:
                sel.register(p.stdout, selectors.EVENT_READ)
                events = sel.select(timeout=None)
            line = p.stdout.readline()
            p.wait()
            p.stdout.close()
            return f'{type(sel).__name__}|{len(events)}|{line!r}'
            """);

        Assert.Equal("EpollSelector|1|b'ready\\n'", result);
    }
}
