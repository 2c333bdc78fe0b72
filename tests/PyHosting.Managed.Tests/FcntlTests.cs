using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// The Managed backend's <c>fcntl</c> over the runtime's descriptors: status and descriptor flags (agreeing with
/// <c>os.get_blocking</c>/<c>os.set_blocking</c>), non-blocking pipes, duplication, the pipe size, advisory locks and
/// the <c>ioctl</c> requests it emulates.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class FcntlTests(ManagedRuntimeFixture fixture)
{
    private const string Compatibility = "PyHosting.Compatibility";

    [Fact]
    public async Task StatusFlags_AgreeWithGetBlockingAndSetBlocking_AndONonblockMakesPipeIoFailWithEagain()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import fcntl, os
            r, w = os.pipe()
            out = []
            try:
                out.append(fcntl.fcntl(r, fcntl.F_GETFL) & (os.O_ACCMODE | os.O_NONBLOCK))
                out.append(fcntl.fcntl(w, fcntl.F_GETFL) & os.O_ACCMODE)
                flags = fcntl.fcntl(r, fcntl.F_GETFL)
                out.append(fcntl.fcntl(r, fcntl.F_SETFL, flags | os.O_NONBLOCK))
                out.append(os.get_blocking(r))
                try:
                    os.read(r, 1)
                    out.append('read')
                except BlockingIOError as e:
                    out.append(e.errno)
                os.set_blocking(r, True)
                out.append(bool(fcntl.fcntl(r, fcntl.F_GETFL) & os.O_NONBLOCK))
                os.set_blocking(w, False)
                out.append(bool(fcntl.fcntl(w, fcntl.F_GETFL) & os.O_NONBLOCK))
                written = 0
                try:
                    while True:
                        written += os.write(w, b'x' * 65536)
                except BlockingIOError as e:
                    out.append(e.errno)
                out.append(written == fcntl.fcntl(w, fcntl.F_GETPIPE_SZ))
            finally:
                os.close(r)
                os.close(w)
            return out
            """);

        Assert.Equal(new List<object?> { 0L, 1L, 0L, false, 11L, false, true, 11L, true }, result);
    }

    [Fact]
    public async Task BufferedWriterOnAFullNonblockingPipe_RaisesBlockingIOErrorWithEagain()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import errno, os
            r, w = os.pipe()
            os.set_blocking(w, False)
            wf = open(w, 'wb', buffering=4096)
            try:
                try:
                    while True:
                        wf.write(b'y' * 9999)
                except BlockingIOError as e:
                    outcome = [e.errno == errno.EAGAIN, e.characters_written >= 0]
            finally:
                os.set_blocking(w, True)
                os.close(r)
                try:
                    wf.close()
                except OSError:
                    pass
            return outcome
            """);

        Assert.Equal(new List<object?> { true, true }, result);
    }

    [Fact]
    public async Task DescriptorFlags_DupFd_AndAppend_BehaveAsOnLinux()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("fcntl")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import fcntl, os
            fd = os.open('{{path}}', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            out = []
            try:
                out.append(fcntl.fcntl(fd, fcntl.F_GETFD))
                fcntl.fcntl(fd, fcntl.F_SETFD, 0)
                out.append(os.get_inheritable(fd))
                out.append(fcntl.fcntl(fd, fcntl.F_GETFD))
                fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
                dup = fcntl.fcntl(fd, fcntl.F_DUPFD, 200)
                out.append(dup)
                os.close(dup)
                out.append(fcntl.fcntl(fd, fcntl.F_GETFL) & (os.O_ACCMODE | os.O_APPEND))
                os.write(fd, b'abc')
                os.lseek(fd, 0, os.SEEK_SET)
                fcntl.fcntl(fd, fcntl.F_SETFL, os.O_APPEND)
                out.append(bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND))
                os.write(fd, b'd')
                out.append(os.pread(fd, 10, 0))
                for bad in (lambda: fcntl.fcntl(fd, fcntl.F_DUPFD, 5000), lambda: fcntl.fcntl(fd, 9999), lambda: fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ), lambda: fcntl.fcntl(777, fcntl.F_GETFD)):
                    try:
                        bad()
                    except OSError as e:
                        out.append(e.errno)
                try:
                    fcntl.fcntl(fd, fcntl.F_GETFL, b'x' * 1025)
                except ValueError:
                    out.append('ValueError')
                out.append(fcntl.fcntl(fd, fcntl.F_GETFL, b'echo'))
            finally:
                os.close(fd)
            return out
            """);

        Assert.Equal(new List<object?> { 1L, true, 0L, 200L, 2L, true, "abcd"u8.ToArray(), 22L, 22L, 9L, 9L, "ValueError", "echo"u8.ToArray() }, result);
    }

    [Fact]
    public async Task PipeSize_CanBeReadAndSet_AsLinuxRoundsIt()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import fcntl, os
            r, w = os.pipe()
            out = []
            try:
                out.append(fcntl.fcntl(r, fcntl.F_GETPIPE_SZ))
                out.append(fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 5000))
                out.append(fcntl.fcntl(r, fcntl.F_GETPIPE_SZ))
                os.write(w, b'z' * 6000)
                try:
                    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
                except OSError as e:
                    out.append(e.errno)
                try:
                    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 2**31 - 1)
                except PermissionError as e:
                    out.append(e.errno)
            finally:
                os.close(r)
                os.close(w)
            return out
            """);

        Assert.Equal(new List<object?> { 1048576L, 8192L, 8192L, 16L, 1L }, result);
    }

    [Fact]
    public async Task Flock_ConflictsBetweenTwoOpensOfOneFile_NotBetweenDuplicates_AndCloseReleasesIt()
    {
        var path = $"/host/{ManagedRuntimeFixture.Unique("flock")}";
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<List<object?>>($$"""
            import fcntl, os
            a = open('{{path}}', 'wb')
            b = open('{{path}}', 'rb')
            out = []
            try:
                fcntl.flock(a, fcntl.LOCK_EX | fcntl.LOCK_NB)
                try:
                    fcntl.flock(b, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    out.append('no conflict')
                except BlockingIOError as e:
                    out.append(e.errno)
                dup = os.dup(a.fileno())
                fcntl.flock(dup, fcntl.LOCK_SH | fcntl.LOCK_NB)
                out.append('dup converts')
                fcntl.flock(b, fcntl.LOCK_SH | fcntl.LOCK_NB)
                out.append('both shared')
                try:
                    fcntl.flock(b, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    out.append('exclusive refused')
                os.close(dup)
                a.close()
                fcntl.flock(b, fcntl.LOCK_EX | fcntl.LOCK_NB)
                out.append('released by close')
                fcntl.flock(b, fcntl.LOCK_UN)
                for bad in (0, fcntl.LOCK_SH | fcntl.LOCK_EX, fcntl.LOCK_NB):
                    try:
                        fcntl.flock(b, bad)
                    except OSError as e:
                        out.append(e.errno)
            finally:
                a.close()
                b.close()
            return out
            """);

        Assert.Equal(new List<object?> { 11L, "dup converts", "both shared", "exclusive refused", "released by close", 22L, 22L, 22L }, result);
        Assert.Contains(fixture.Logs.Since(mark, Compatibility), l => l.EventName == "FlockEmulated");
    }

    [Fact]
    public async Task Flock_ABlockingLockWaitsForAnotherThreadToUnlock()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("flock-wait")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import fcntl, os, threading
            a = open('{{path}}', 'wb')
            b = open('{{path}}', 'rb')
            try:
                fcntl.flock(a, fcntl.LOCK_EX)
                t = threading.Timer(0.05, lambda: fcntl.flock(a, fcntl.LOCK_UN))
                t.start()
                fcntl.flock(b, fcntl.LOCK_EX)
                t.join()
                got = 'locked after the unlock'
            finally:
                a.close()
                b.close()
            return [got]
            """);

        Assert.Equal(new List<object?> { "locked after the unlock" }, result);
    }

    [Fact]
    public async Task LockfAndRecordLocks_SucceedWithinTheRuntime_AfterLinuxsChecks()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("lockf")}";
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<List<object?>>($$"""
            import fcntl, os, struct
            w = open('{{path}}', 'wb')
            r = open('{{path}}', 'rb')
            out = []
            def outcome(f):
                try:
                    return f()
                except OSError as e:
                    return e.errno
                except ValueError:
                    return 'ValueError'
            try:
                out.append(outcome(lambda: fcntl.lockf(w, fcntl.LOCK_EX | fcntl.LOCK_NB)))
                out.append(outcome(lambda: fcntl.lockf(r, fcntl.LOCK_EX | fcntl.LOCK_NB)))   # a read-only descriptor
                out.append(outcome(lambda: fcntl.lockf(w, fcntl.LOCK_SH)))                   # a write-only descriptor
                out.append(outcome(lambda: fcntl.lockf(w, 0)))
                out.append(outcome(lambda: fcntl.lockf(w, fcntl.LOCK_EX, 0, -1)))
                out.append(outcome(lambda: fcntl.lockf(w, fcntl.LOCK_EX, 0, 0, 5)))
                out.append(outcome(lambda: fcntl.lockf(w, fcntl.LOCK_UN)))
                query = struct.pack('hhllhh', fcntl.F_WRLCK, 0, 0, 0, 0, 0)
                out.append(struct.unpack('hhllhh', fcntl.fcntl(w, fcntl.F_GETLK, query))[0] == fcntl.F_UNLCK)
                out.append(outcome(lambda: fcntl.fcntl(w, fcntl.F_SETLK, 0)))
                out.append(outcome(lambda: os.lockf(w.fileno(), os.F_TLOCK, 0)))
                out.append(outcome(lambda: os.lockf(r.fileno(), os.F_LOCK, 0)))
            finally:
                w.close()
                r.close()
            return out
            """);

        Assert.Equal(new List<object?> { null, 9L, 9L, "ValueError", 22L, 22L, null, true, 14L, null, 9L }, result);
        Assert.Contains(fixture.Logs.Since(mark, Compatibility), l => l.EventName == "RecordLockEmulated");
    }

    [Fact]
    public async Task Ioctl_EmulatesFionreadAndFionbio_AndRefusesTheRest()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("ioctl")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import array, fcntl, io, os, socket, struct
            FIONREAD, FIONBIO, FIONCLEX, TIOCGWINSZ = 0x541B, 0x5421, 0x5450, 0x5413
            r, w = os.pipe()
            a, b = socket.socketpair()
            fd = os.open('{{path}}', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            out = []
            try:
                os.write(w, b'12345')
                buf = array.array('i', [0])
                out.append(fcntl.ioctl(r, FIONREAD, buf, True))
                out.append(buf[0])
                a.send(b'abc')
                out.append(struct.unpack('i', fcntl.ioctl(b.fileno(), FIONREAD, b'\0' * 4))[0])
                os.write(fd, b'0123456789')
                os.lseek(fd, 4, os.SEEK_SET)
                out.append(struct.unpack('i', fcntl.ioctl(fd, FIONREAD, b'\0' * 4))[0])
                fcntl.ioctl(r, FIONBIO, struct.pack('i', 1))
                out.append(os.get_blocking(r))
                fcntl.ioctl(r, FIONCLEX)
                out.append(os.get_inheritable(r))
                for call in (lambda: fcntl.ioctl(fd, FIONREAD), lambda: fcntl.ioctl(fd, TIOCGWINSZ, b'\0' * 8)):
                    try:
                        call()
                    except OSError as e:
                        out.append(e.errno)
                try:
                    fcntl.ioctl(fd, 0x1234)
                except io.UnsupportedOperation as e:
                    out.append([e.errno, '0x1234' in str(e)])
            finally:
                for x in (r, w, fd):
                    os.close(x)
                a.close(); b.close()
            return out
            """);

        Assert.Equal(new List<object?> { 0L, 5L, 3L, 6L, false, true, 14L, 25L, new List<object?> { 25L, true } }, result);
    }

    [Fact]
    public async Task FreshCopyOfFcntl_HasTheManagedFunctions()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import _imp, importlib.machinery, os
            fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('fcntl', None))
            _imp.exec_builtin(fresh)
            r, w = os.pipe()
            try:
                flags = fresh.fcntl(w, fresh.F_GETFL) & os.O_ACCMODE
                try:
                    fresh.fcntl(900, fresh.F_GETFD)
                    bad = 'no error'
                except OSError as e:
                    bad = e.errno
            finally:
                os.close(r)
                os.close(w)
            return [flags, bad, type(fresh.flock).__name__]
            """);

        Assert.Equal(new List<object?> { 1L, 9L, "builtin_function_or_method" }, result);
    }
}
