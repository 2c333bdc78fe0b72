using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// Signals in the managed backend are never delivered by the host; the emulations that ordinary code and asyncio rely
/// on: <c>siginterrupt</c> is accepted, <c>_thread.interrupt_main</c> runs the recorded handler in the main thread,
/// and a child's exit writes <c>SIGCHLD</c> to the wakeup descriptor (asyncio's Safe/Fast child watchers).
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class SignalTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Siginterrupt_IsAccepted_AndChecksTheSignalNumber()
    {
        var result = await fixture.RunAsync<string>("""
            import signal
            outcome = [signal.siginterrupt(signal.SIGCHLD, False), signal.siginterrupt(signal.SIGTERM, True)]
            try:
                signal.siginterrupt(0, True)
            except ValueError as e:
                outcome.append(str(e))
            return repr(outcome)
            """);

        Assert.Equal("[None, None, 'signal number out of range']", result);
    }

    [Fact]
    public async Task InterruptMain_RunsTheRecordedHandler_OrRaisesKeyboardInterrupt()
    {
        var result = await fixture.RunAsync<string>("""
            import signal, _thread
            outcome = [signal.getsignal(signal.SIGINT) is signal.default_int_handler]
            try:
                _thread.interrupt_main()
                outcome.append('nothing')
            except KeyboardInterrupt:
                outcome.append('KeyboardInterrupt')
            seen = []
            previous = signal.signal(signal.SIGINT, lambda n, frame: seen.append(n))
            try:
                _thread.interrupt_main()
                outcome.append(seen)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _thread.interrupt_main()
                outcome.append('ignored')
            finally:
                signal.signal(signal.SIGINT, previous)
            return repr(outcome)
            """);

        Assert.Equal("[True, 'KeyboardInterrupt', [2], 'ignored']", result);
    }

    [Fact]
    public async Task InterruptMain_EndsAnAsyncioRunner()
    {
        var result = await fixture.RunAsync<string>("""
            import asyncio, _thread
            async def spin():
                while True:
                    await asyncio.sleep(0)
            try:
                with asyncio.Runner() as runner:
                    runner.get_loop().call_soon(_thread.interrupt_main)
                    runner.run(spin())
                return 'not interrupted'
            except KeyboardInterrupt:
                return 'KeyboardInterrupt'
            """);

        Assert.Equal("KeyboardInterrupt", result);
    }

    [Theory]
    [InlineData("SafeChildWatcher")]
    [InlineData("FastChildWatcher")]
    public async Task ChildWatchersOnSigchld_SeeTheChildExit(string watcher)
    {
        var result = await fixture.RunAsync<string>($$"""
            import asyncio, warnings
            warnings.simplefilter('ignore', DeprecationWarning)
            async def main():
                proc = await asyncio.create_subprocess_exec('echo', 'hi', stdout=asyncio.subprocess.PIPE)
                out, _ = await proc.communicate()
                return f'{out!r}|{await proc.wait()}'
            loop = asyncio.new_event_loop()
            policy = asyncio.get_event_loop_policy()
            watcher = asyncio.{{watcher}}()
            try:
                asyncio.set_event_loop(loop)
                watcher.attach_loop(loop)
                policy.set_child_watcher(watcher)
                return loop.run_until_complete(main())
            finally:
                policy.set_child_watcher(None)
                watcher.close()
                asyncio.set_event_loop(None)
                loop.close()
            """);

        Assert.Equal("b'hi\\n'|0", result);
    }
}
