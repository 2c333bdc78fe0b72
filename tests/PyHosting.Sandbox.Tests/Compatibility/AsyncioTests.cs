using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Compatibility;

/// <summary>
/// socket, select and asyncio under the default permissions (IO per mounts, no threads, no processes, HostSockets false):
/// socket imports, socketpair is the runtime's own, the selector works over virtual descriptors, and an event loop runs.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AsyncioTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("socket")]
    [InlineData("email.utils")]
    [InlineData("logging.handlers")]
    [InlineData("xml.sax.saxutils")]
    [InlineData("http.client")]
    [InlineData("urllib.request")]
    [InlineData("mailbox")]
    [InlineData("socketserver")]
    [InlineData("smtplib")]
    [InlineData("asyncio")]
    [InlineData("selectors")]
    public async Task ModulesImportingSocket_Import(string module)
    {
        var name = await fixture.Runtime.EvaluateAsync<string>($"__import__('importlib').import_module('{module}').__name__");

        Assert.Equal(module, name);
    }

    [Fact]
    public async Task ImportingTheSocketModules_AndRunningALoop_LogNoDenial()
    {
        var before = fixture.Logs.Count;
        await fixture.Runtime.ExecuteAsync("""
            import socket, asyncio, email.utils, logging.handlers, xml.sax.saxutils, http.client, urllib.request, mailbox, socketserver, smtplib, selectors
            asyncio.run(asyncio.sleep(0.01))
            """);

        var lines = fixture.Logs.Skip(before).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("denied", StringComparison.OrdinalIgnoreCase));

        // A refusal is logged, so the absence above means something.
        await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("import socket\nsocket.gethostname()"));
        Assert.Contains(fixture.Logs.Skip(before + lines.Count), l => l.Contains("Denied gethostname: PythonRuntime:Permissions:HostSockets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmailUtils_FormatsAndParsesAddresses()
    {
        var text = await fixture.Runtime.EvaluateAsync<string>(
            "__import__('email.utils').utils.formataddr(('Ann Example', 'ann@example.org')) + '|' + __import__('email.utils').utils.parseaddr('Bob <bob@example.org>')[1]");

        Assert.Equal("Ann Example <ann@example.org>|bob@example.org", text);
    }

    [Theory]
    [InlineData("socket.socket()")]
    [InlineData("socket.socket(socket.AF_INET, socket.SOCK_STREAM)")]
    [InlineData("socket.getaddrinfo('localhost', 80)")]
    [InlineData("socket.gethostbyname('localhost')")]
    [InlineData("socket.gethostbyname_ex('localhost')")]
    [InlineData("socket.gethostbyaddr('127.0.0.1')")]
    [InlineData("socket.gethostname()")]
    [InlineData("socket.sethostname('x')")]
    [InlineData("socket.getnameinfo(('127.0.0.1', 80), 0)")]
    [InlineData("socket.if_nameindex()")]
    [InlineData("socket.getservbyname('http')")]
    [InlineData("socket.getprotobyname('tcp')")]
    [InlineData("socket.create_connection(('127.0.0.1', 9))")]
    [InlineData("socket.create_server(('127.0.0.1', 0))")]
    [InlineData("__import__('urllib.request').request.urlopen('http://127.0.0.1:9/')")]
    [InlineData("__import__('asyncio').run(__import__('asyncio').open_connection('127.0.0.1', 9))")]
    public async Task NetworkOperations_AreRefused_NamingHostSockets(string expression)
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("import socket\n" + expression));

        // urllib reports the refusal inside its URLError, as it reports any OSError of the connection.
        Assert.Contains(error.PythonType, (string[])["PermissionError", "urllib.error.URLError"]);
        Assert.Contains("PythonRuntime:Permissions:HostSockets", error.PythonMessage, StringComparison.Ordinal);
        Assert.Equal(7L, await fixture.Runtime.EvaluateAsync<long>("3 + 4"));
    }

    [Fact]
    public async Task AsyncioStartServer_ListensOnNothing()
    {
        // asyncio's create_server skips an address whose socket() fails with OSError (PermissionError is one): no socket is made.
        var sockets = await fixture.Runtime.EvaluateAsync<long>("""
            (lambda ns: (exec("import asyncio\nasync def main():\n    s = await asyncio.start_server(lambda r, w: None, '127.0.0.1', 0)\n    n = len(s.sockets)\n    s.close()\n    return n\nout = asyncio.run(main())", ns), ns['out'])[1])({})
            """);

        Assert.Equal(0L, sockets);
    }

    [Fact]
    public async Task SocketPair_CarriesBytesBothWays_WithStreamSemantics()
    {
        await fixture.Runtime.ExecuteAsync("""
            import socket
            a, b = socket.socketpair()
            a.sendall(b'ping')
            b.send(b'pong!')
            assert b.recv(100) == b'ping'
            r = bytearray(10)
            n = a.recv_into(r)
            assert bytes(r[:n]) == b'pong!'
            a.shutdown(socket.SHUT_WR)
            assert b.recv(10) == b'', 'no end of stream after shutdown(SHUT_WR)'
            assert (a.family, a.type, isinstance(a, socket.socket)) == (socket.AF_UNIX, socket.SOCK_STREAM, True)
            a.close()
            try:
                b.send(b'x')
                raise AssertionError('send to a closed peer did not fail')
            except BrokenPipeError:
                pass
            b.close()
            assert a.fileno() == -1 and b.fileno() == -1
            """);
    }

    [Fact]
    public async Task SocketPair_NonBlockingRecvOnEmpty_RaisesBlockingIOError_AndSelectSeesData()
    {
        await fixture.Runtime.ExecuteAsync("""
            import select, socket
            a, b = socket.socketpair()
            b.setblocking(False)
            try:
                b.recv(1)
                raise AssertionError('recv on an empty socket did not raise')
            except BlockingIOError:
                pass
            assert select.select([b], [], [], 0) == ([], [], []), 'empty socket reported readable'
            r, w, _ = select.select([b], [a], [], 0)
            assert r == [] and w == [a], (r, w)
            a.send(b'x')
            r, _, _ = select.select([b], [], [], 1)
            assert r == [b], r
            assert b.recv(10) == b'x'
            p = select.poll()
            p.register(b, select.POLLIN)
            assert p.poll(0) == []
            a.send(b'y')
            assert p.poll(1000) == [(b.fileno(), select.POLLIN)]
            with a.makefile('wb') as wf, b.makefile('rb') as rf:
                b.setblocking(True)
                wf.write(b'line one\nline two\n'); wf.flush()
                assert rf.read(1) == b'y'
                assert rf.readline() == b'line one\n', 'makefile readline'
            a.close(); b.close()
            """);
    }

    [Fact]
    public async Task SocketPair_RecvWithTimeout_RaisesTimeoutError()
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("""
            import socket
            a, b = socket.socketpair()
            b.settimeout(0.05)
            b.recv(1)
            """));
        Assert.Equal("TimeoutError", error.PythonType);
    }

    [Fact]
    public async Task NonBlockingPipes_RaiseBlockingIOError_AndFileObjectsReturnNone()
    {
        await fixture.Runtime.ExecuteAsync("""
            import os
            r, w = os.pipe()
            try:
                os.set_blocking(r, False)
                os.set_blocking(w, False)
                try:
                    os.read(r, 1)
                    raise AssertionError('read from an empty non-blocking pipe')
                except BlockingIOError:
                    pass
                assert open(r, 'rb', buffering=0, closefd=False).read(1) is None
                written = 0
                for _ in range(100):
                    try:
                        written += os.write(w, b'x' * 65536)
                    except BlockingIOError:
                        break
                assert written == 1 << 20, written
                assert len(os.read(r, 10)) == 10
            finally:
                os.close(r)
                os.close(w)
            """);
    }

    [Fact]
    public async Task DefaultSelector_IsTheRuntimesEpollSelector_UnderDefaultPermissions()
    {
        var result = await fixture.Runtime.EvaluateAsync<string>(
            "__import__('selectors').DefaultSelector.__name__ + '|' + str('__new__' in vars(__import__('select').epoll)) + '|' + str(__import__('asyncio').run(__import__('asyncio').sleep(0, 'ran')))");

        // CPython's epoll type has a C __new__ (refused, see TypeClassification); the runtime's class has none.
        Assert.Equal("EpollSelector|False|ran", result);
    }

    [Fact]
    public async Task AsyncioRun_TasksGatherTimeoutsQueuesLocksEvents_Work()
    {
        await fixture.Runtime.ExecuteAsync("""
            import asyncio

            async def worker(q, out):
                while True:
                    item = await q.get()
                    if item is None:
                        q.task_done()
                        return
                    out.append(item * 2)
                    q.task_done()

            async def main():
                results = await asyncio.gather(*(asyncio.sleep(0.01 * i, result=i) for i in range(5)))
                assert results == [0, 1, 2, 3, 4], results

                try:
                    await asyncio.wait_for(asyncio.sleep(10), 0.02)
                    raise AssertionError('wait_for did not time out')
                except asyncio.TimeoutError:
                    pass

                try:
                    async with asyncio.timeout(0.02):
                        await asyncio.sleep(10)
                    raise AssertionError('asyncio.timeout did not expire')
                except TimeoutError:
                    pass

                q, out = asyncio.Queue(), []
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(worker(q, out))
                    for i in range(5):
                        await q.put(i)
                    await q.put(None)
                assert out == [0, 2, 4, 6, 8], out

                lock, event, order = asyncio.Lock(), asyncio.Event(), []
                async def holder():
                    async with lock:
                        order.append('held')
                        await event.wait()
                        order.append('released')
                async def waiter():
                    await asyncio.sleep(0)
                    async with lock:
                        order.append('waiter')
                t1, t2 = asyncio.create_task(holder()), asyncio.create_task(waiter())
                await asyncio.sleep(0.01)
                event.set()
                await asyncio.gather(t1, t2)
                assert order == ['held', 'released', 'waiter'], order

                loop = asyncio.get_running_loop()
                fired = loop.create_future()
                loop.call_later(0.01, fired.set_result, 'later')
                assert await fired == 'later'

                task = asyncio.create_task(asyncio.sleep(10))
                await asyncio.sleep(0)
                task.cancel()
                try:
                    await task
                    raise AssertionError('cancel did not cancel')
                except asyncio.CancelledError:
                    pass
                return 'done'

            assert asyncio.run(main()) == 'done'
            """);
    }

    [Fact]
    public async Task AsyncioStreamsOverASocketPair_Work()
    {
        await fixture.Runtime.ExecuteAsync("""
            import asyncio, socket

            async def main():
                a, b = socket.socketpair()
                reader_a, writer_a = await asyncio.open_connection(sock=a)
                reader_b, writer_b = await asyncio.open_connection(sock=b)
                writer_a.write(b'hello\n')
                await writer_a.drain()
                assert await reader_b.readline() == b'hello\n'
                writer_b.write(b'x' * 300000)
                await writer_b.drain()
                writer_b.close()
                data = await reader_a.read()
                assert len(data) == 300000, len(data)
                writer_a.close()
                await writer_a.wait_closed()

            asyncio.run(main())
            """);
    }

    [Fact]
    public async Task RunInExecutor_WithoutCreateThread_IsRefusedNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("""
            import asyncio
            async def main():
                return await asyncio.to_thread(sum, [1, 2])
            asyncio.run(main())
            """));

        Assert.Contains("PythonRuntime:Permissions:CreateThread", error.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetWakeupFd_AcceptsANonBlockingVirtualDescriptor()
    {
        var previous = await fixture.Runtime.EvaluateAsync<long>("""
            (lambda signal, socket: (lambda a, b: (a.setblocking(False), signal.set_wakeup_fd(a.fileno()), signal.set_wakeup_fd(-1), a.close(), b.close())[2])(*socket.socketpair()))(__import__('signal'), __import__('socket'))
            """);

        Assert.True(previous >= 3, $"set_wakeup_fd(-1) returned {previous}");
    }

    [Fact]
    public async Task ARunningEventLoop_IsEndedByTheExecutionTimeout()
    {
        var started = DateTime.UtcNow;
        var error = await Record.ExceptionAsync(() => fixture.Runtime.ExecuteAsync("""
            import asyncio
            async def forever():
                while True:
                    await asyncio.sleep(0.01)
            asyncio.run(forever())
            """));

        Assert.IsType<TimeoutException>(error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        Assert.Equal(7L, await fixture.Runtime.EvaluateAsync<long>("3 + 4"));
    }

    [Fact]
    public async Task ABlockedSelect_IsEndedByCancellation()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var error = await Record.ExceptionAsync(() => fixture.Runtime.ExecuteAsync("""
            import select, socket
            a, b = socket.socketpair()
            select.select([b], [], [])
            """, cts.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(7L, await fixture.Runtime.EvaluateAsync<long>("3 + 4"));
    }
}
