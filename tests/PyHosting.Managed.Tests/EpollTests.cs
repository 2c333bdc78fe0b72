using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// <c>select.epoll</c> over the runtime's virtual descriptors (pipes, socket pairs, the epoll itself), and the
/// <c>POLLHUP</c>/<c>POLLERR</c>/<c>POLLRDHUP</c>/<c>POLLNVAL</c> that <c>poll</c> and <c>epoll</c> report per
/// descriptor kind, as Linux does; asyncio's default selector is then the <c>EpollSelector</c>.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class EpollTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Asyncio_RunsOverTheEpollSelector_OnTheFakeClock()
    {
        var run = fixture.RunAsync<string>("""
            import asyncio, selectors, socket
            async def main():
                loop = asyncio.get_running_loop()
                start = loop.time()
                a, b = socket.socketpair()
                reader, writer = await asyncio.open_connection(sock=a)
                b.sendall(b'line\n')
                line = await reader.readline()
                await asyncio.sleep(900)
                writer.close(); b.close()
                return f'{type(loop._selector).__name__}|{selectors.DefaultSelector.__name__}|{line!r}|{loop.time() - start:.0f}'
            return asyncio.run(main())
            """);

        for (var i = 0; i < 2000 && !run.IsCompleted; i++)
        {
            await Task.Delay(5);
            fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.True(run.IsCompleted, "asyncio.sleep over the epoll selector did not follow the fake clock");
        var parts = (await run)!.Split('|');
        Assert.Equal(["EpollSelector", "EpollSelector", "b'line\\n'"], parts[..3]);
        Assert.InRange(int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture), 900, 960);
    }

    [Fact]
    public async Task LevelTriggered_SocketPair_ReportsData_ThenHangUpWhenThePeerCloses()
    {
        var result = await ReprAsync("""
            import select, socket
            a, b = socket.socketpair()
            fd = a.fileno()
            with select.epoll() as ep:
                ep.register(a, select.EPOLLIN | select.EPOLLOUT | select.EPOLLRDHUP)
                first = ep.poll(0)
                b.send(b'x')
                second, again = ep.poll(0), ep.poll(0)
                b.shutdown(socket.SHUT_WR)
                half = ep.poll(0)
                b.close()
                closed = ep.poll(0)
            a.close()
            E = select
            return [first == [(fd, E.EPOLLOUT)],
                    second == again == [(fd, E.EPOLLIN | E.EPOLLOUT)],
                    half == [(fd, E.EPOLLIN | E.EPOLLOUT | E.EPOLLRDHUP)],
                    closed == [(fd, E.EPOLLIN | E.EPOLLOUT | E.EPOLLRDHUP | E.EPOLLHUP)]]
            """);

        Assert.Equal("[True, True, True, True]", result);
    }

    [Fact]
    public async Task EdgeTriggered_Pipe_ReportsEachArrival_AndEachFreeing_OnlyOnce()
    {
        var result = await fixture.RunAsync<string>("""
            import os, select
            r, w = os.pipe()
            ep = select.epoll()
            ep.register(r, select.EPOLLIN | select.EPOLLET)
            ep.register(w, select.EPOLLOUT | select.EPOLLET)
            out = [sorted(ep.poll(0)), ep.poll(0)]      # the write end once; the read end has nothing
            os.write(w, b'a')
            out += [ep.poll(0), ep.poll(0)]             # the arrival once (the writer's own write wakes no writer)
            os.write(w, b'b')
            out.append(ep.poll(0))                      # more data while readable: an edge again, as Linux's wake-up
            os.read(r, 1)
            out.append(ep.poll(0))                      # room appeared: the write end again
            os.close(w)
            out.append(ep.poll(0))                      # the writer went away: POLLHUP is a new event
            ep.close(); os.close(r)
            names = {r: 'R', w: 'W'}
            return repr([sorted((names[fd], e) for fd, e in events) for events in out]).replace("'", '')
            """);

        Assert.Equal("[[(W, 4)], [], [(R, 1)], [], [(R, 1)], [(W, 4)], [(R, 17)]]", result);
    }

    [Fact]
    public async Task OneShot_ReportsOnce_UntilModified()
    {
        var result = await ReprAsync("""
            import os, select
            r, w = os.pipe()
            os.write(w, b'data')
            ep = select.epoll()
            ep.register(r, select.EPOLLIN | select.EPOLLONESHOT)
            out = [len(ep.poll(0)), len(ep.poll(0))]
            ep.modify(r, select.EPOLLIN | select.EPOLLONESHOT)
            out += [len(ep.poll(0)), len(ep.poll(0))]
            ep.close(); os.close(r); os.close(w)
            return out
            """);

        Assert.Equal("[1, 0, 1, 0]", result);
    }

    [Fact]
    public async Task Errors_AreLinuxs()
    {
        var result = await fixture.RunAsync<string>("""
            import errno, os, select
            def code(f):
                try:
                    f()
                    return 'ok'
                except OSError as e:
                    return errno.errorcode[e.errno]
                except Exception as e:
                    return type(e).__name__
            r, w = os.pipe()
            ep = select.epoll()
            ep.register(r)
            f = open('/tmp/' + 'epoll-regular', 'w')
            d = os.open('/tmp', os.O_RDONLY)
            out = [
                code(lambda: ep.register(r)),                                   # EEXIST
                code(lambda: ep.modify(w, select.EPOLLIN)),                     # ENOENT
                code(lambda: ep.unregister(w)),                                 # ENOENT
                code(lambda: ep.register(1000)),                                # EBADF
                code(lambda: ep.register(f)),                                   # EPERM: a regular file
                code(lambda: ep.register(d)),                                   # EPERM: a directory
                code(lambda: ep.register(ep)),                                  # EINVAL: itself
                code(lambda: ep.register(-1)),                                  # ValueError
                code(lambda: ep.register(w, select.EPOLLOUT | select.EPOLLEXCLUSIVE)),
                code(lambda: ep.modify(w, select.EPOLLOUT | select.EPOLLEXCLUSIVE)),   # EINVAL: EXCLUSIVE with MOD
                code(lambda: ep.poll(0, 0)),                                    # ValueError
                code(lambda: ep.poll(2 ** 40)),                                 # OverflowError
                code(lambda: select.epoll(0)),                                  # ValueError
                code(lambda: select.epoll(flags=12356)),                        # EINVAL
                code(lambda: select.epoll.fromfd(r)),                           # EINVAL: not an epoll
            ]
            f.close(); os.close(d)
            os.close(w)
            out.append(code(lambda: ep.unregister(w)))                          # EBADF once closed
            ep.close()
            out += [code(lambda: ep.poll(0)), code(ep.fileno), code(lambda: ep.register(r)), ep.closed]
            os.close(r)
            return ' '.join(map(str, out))
            """);

        Assert.Equal(
            "EEXIST ENOENT ENOENT EBADF EPERM EPERM EINVAL ValueError ok EINVAL ValueError OverflowError ValueError EINVAL EINVAL EBADF ValueError ValueError ValueError True",
            result);
    }

    [Fact]
    public async Task TheEpoll_IsADescriptor_SelectedDuplicatedSharedByFromFd_AndItsEntriesGoWithTheirFiles()
    {
        var result = await ReprAsync("""
            import os, select
            r, w = os.pipe()
            ep = select.epoll()
            ep.register(r, select.EPOLLIN)
            idle = select.select([ep], [], [], 0)[0]
            os.write(w, b'x')
            ready = select.select([ep], [], [], 0)[0] == [ep]
            copy = os.dup(ep.fileno())
            same = select.epoll.fromfd(copy)
            shared = same.poll(0) == [(r, select.EPOLLIN)]
            outer = select.epoll()
            outer.register(ep, select.EPOLLIN)
            nested = outer.poll(0) == [(ep.fileno(), select.EPOLLIN)]
            inner_of_inner = select.epoll()
            try:
                ep.register(inner_of_inner)
                deeper = 'accepted'
            except OSError as e:
                deeper = e.errno
            os.close(r)                                # the entry goes with its file
            gone = same.poll(0)
            r2, w2 = os.pipe()                         # the number is reused: not the old entry
            reused = same.poll(0)
            same.close()                               # closes the copy only
            alive = ep.poll(0) == [] and not ep.closed
            for e in (outer, inner_of_inner, ep):
                e.close()
            for fd in (w, r2, w2):
                os.close(fd)
            return [idle, ready, shared, nested, deeper, gone, reused, alive, r2 == r]
            """);

        Assert.Equal("[[], True, True, True, 40, [], [], True, True]", result);
    }

    [Fact]
    public async Task Poll_ReportsHangUpsErrorsAndInvalidDescriptors_PerKind()
    {
        var result = await ReprAsync("""
            import os, select, socket
            P = select
            def events(fd, mask=P.POLLIN | P.POLLOUT | P.POLLPRI):
                p = select.poll()
                p.register(fd, mask)
                return [e for _, e in p.poll(0)]
            r, w = os.pipe()
            os.close(w)
            read_hup = events(r)                       # POLLHUP alone: nothing buffered
            r2, w2 = os.pipe()
            os.close(r2)
            write_err = events(w2)                     # POLLOUT | POLLERR
            closed = events(r2)                        # POLLNVAL
            a, b = socket.socketpair()
            b.close()
            peer_gone = events(a, P.POLLIN | P.POLLRDHUP)
            not_asked = events(a, 0)                   # POLLHUP is reported unasked
            os.close(r); os.close(w2); a.close()
            return [read_hup == [P.POLLHUP], write_err == [P.POLLOUT | P.POLLERR],
                    peer_gone == [P.POLLIN | P.POLLRDHUP | P.POLLHUP], not_asked == [P.POLLHUP], closed == [P.POLLNVAL]]
            """);

        Assert.Equal("[True, True, True, True, True]", result);
    }

    [Fact]
    public async Task MaxEvents_TakesTurns_AmongReadyDescriptors()
    {
        var result = await ReprAsync("""
            import os, select
            pipes = [os.pipe() for _ in range(3)]
            ep = select.epoll()
            for r, w in pipes:
                os.write(w, b'x')
                ep.register(r, select.EPOLLIN)
            seen = [ep.poll(0, 1)[0][0] for _ in range(3)]
            ep.close()
            for r, w in pipes:
                os.close(r); os.close(w)
            return sorted(seen) == sorted(r for r, _ in pipes)
            """);

        Assert.Equal("True", result);
    }

    [Fact]
    public async Task AWaitingPoll_IsWokenByAnotherThread_AndByAClosedDescriptor_WithoutHoldingTheGil()
    {
        var result = await ReprAsync("""
            import os, select, threading
            r, w = os.pipe()
            ep = select.epoll()
            ep.register(r, select.EPOLLIN)
            counted = []
            def writer():
                counted.append(sum(range(1000)))       # runs only if the waiting thread let go of the GIL
                os.write(w, b'x')
            t = threading.Thread(target=writer)
            t.start()
            woken = ep.poll(None)
            t.join()
            # A descriptor closed while another thread waits: its entry goes (no event for it), the wait goes on.
            os.read(r, 1)
            r2, w2 = os.pipe()
            ep.register(r2, select.EPOLLIN)
            started, results = threading.Event(), []
            def waiter():
                started.set()
                results.append(ep.poll(None))
            t = threading.Thread(target=waiter)
            t.start()
            started.wait()
            os.close(r)
            os.write(w2, b'y')
            t.join()
            ep.close()
            for fd in (w, r2, w2):
                os.close(fd)
            return [woken == [(r, select.EPOLLIN)], counted == [499500], results == [[(r2, select.EPOLLIN)]]]
            """);

        Assert.Equal("[True, True, True]", result);
    }

    [Fact]
    public async Task ARegistrationFromAnotherThread_WakesAWaitingPoll()
    {
        var result = await ReprAsync("""
            import os, select, threading
            r, w = os.pipe()
            os.write(w, b'ready before it is registered')
            ep = select.epoll()
            started = threading.Event()
            def register():
                started.wait()
                ep.register(r, select.EPOLLIN)
            t = threading.Thread(target=register)
            t.start()
            started.set()
            events = ep.poll()
            t.join()
            ep.close(); os.close(r); os.close(w)
            return events == [(r, select.EPOLLIN)]
            """);

        Assert.Equal("True", result);
    }

    [Fact]
    public async Task CancellingTheCall_EndsAWaitingEpollPoll()
    {
        using var cts = new CancellationTokenSource();
        var run = fixture.RunAsync<string>("""
            import select
            ep = select.epoll()
            try:
                ep.poll()
            finally:
                ep.close()
            return 'returned'
            """, cts.Token);

        await Task.Delay(300);
        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        var error = await Record.ExceptionAsync(() => run.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(7L, await fixture.RunAsync<long>("return 3 + 4"));
    }

    [Fact]
    public async Task Poll_RefusesWhatCPythonRefuses_AndThePollSelectorStillRunsAsyncio()
    {
        var result = await ReprAsync("""
            import asyncio, os, select, selectors, socket, threading
            def kind(f):
                try:
                    f()
                    return 'ok'
                except Exception as e:
                    return type(e).__name__
            p = select.poll()
            r, w = os.pipe()
            checks = [kind(lambda: p.register(r, 1 << 16)), kind(lambda: p.register(r, -1)), kind(lambda: p.poll(1 << 31)),
                      kind(lambda: p.poll(float('nan'))), kind(lambda: type(p)())]
            # A second poll() while one waits on another thread is CPython's RuntimeError.
            p.register(r, select.POLLIN)
            started = threading.Event()
            def waiter():
                started.set()
                p.poll()
            t = threading.Thread(target=waiter)
            t.start()
            started.wait()
            while not p._polling:
                pass
            checks.append(kind(p.poll))
            os.write(w, b'x')
            t.join()
            os.close(r); os.close(w)
            async def echo():
                a, b = socket.socketpair()
                reader, writer = await asyncio.open_connection(sock=a)
                b.sendall(b'over poll\n')
                line = await reader.readline()
                writer.close(); b.close()
                return line
            loop = asyncio.SelectorEventLoop(selectors.PollSelector())
            try:
                line = loop.run_until_complete(echo())
            finally:
                loop.close()
            return checks + [line]
            """);

        Assert.Equal("['OverflowError', 'ValueError', 'OverflowError', 'ValueError', 'TypeError', 'RuntimeError', b'over poll\\n']", result);
    }

    /// <summary>Runs <paramref name="body"/> as a function's body and returns <c>repr</c> of what it returns.</summary>
    private Task<string?> ReprAsync(string body)
        => fixture.RunAsync<string>("def _body():\n" + string.Join('\n', body.Split('\n').Select(static l => "    " + l)) + "\nreturn repr(_body())");
}
