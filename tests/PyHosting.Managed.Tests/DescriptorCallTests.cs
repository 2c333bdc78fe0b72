using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// The descriptor-level posix calls over the runtime's own descriptors (vectored I/O, sendfile, copy_file_range, splice,
/// eventfd, memfd_create, posix_fallocate): results, positions and errno as on Linux.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class DescriptorCallTests(ManagedRuntimeFixture fixture)
{
    [Theory]
    [InlineData("/data")]
    [InlineData("/host")]
    public async Task ReadvWritev_ScatterAndGather_AndPreadvPwritevKeepThePosition(string mount)
    {
        var path = $"{mount}/{ManagedRuntimeFixture.Unique("vector")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            fd = os.open('{{path}}', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            try:
                written = os.writev(fd, [b'abc', bytearray(b'defg'), memoryview(b'hij')])
                os.lseek(fd, 0, os.SEEK_SET)
                a, b = bytearray(4), bytearray(10)
                read = os.readv(fd, [a, b])
                at = os.lseek(fd, 0, os.SEEK_CUR)
                c = bytearray(3)
                pread = os.preadv(fd, [c], 2)
                pwritten = os.pwritev(fd, [b'XY'], 1)
                after = os.lseek(fd, 0, os.SEEK_CUR)
                os.pwritev(fd, [b'!'], 0, os.RWF_APPEND)
                os.lseek(fd, 0, os.SEEK_SET)
                content = os.read(fd, 100)
                empty = os.readv(fd, [])
            finally:
                os.close(fd)
            return [written, read, bytes(a), bytes(b[:6]), at, pread, bytes(c), pwritten, after, content, empty]
            """);

        Assert.Equal(new List<object?> { 10L, 10L, "abcd"u8.ToArray(), "efghij"u8.ToArray(), 10L, 3L, "cde"u8.ToArray(), 2L, 10L, "aXYdefghij!"u8.ToArray(), 0L }, result);
    }

    [Fact]
    public async Task VectoredCalls_CheckTheirArguments_AsCPythonDoes()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os
            r, w = os.pipe()
            out = []
            def err(f):
                try:
                    f()
                    return 'ok'
                except OSError as e:
                    return 'errno %d' % e.errno
                except Exception as e:
                    return type(e).__name__
            try:
                out.append(err(lambda: os.readv(r, 3)))
                out.append(err(lambda: os.readv(r, [b'read-only'])))
                out.append(err(lambda: os.writev(w, ['str'])))
                out.append(err(lambda: os.readv(r, [bytearray(1)] * 1025)))
                out.append(err(lambda: os.writev(r, [b'x'])))
                out.append(err(lambda: os.preadv(r, [bytearray(1)], 0)))
                out.append(err(lambda: os.preadv(r, [bytearray(1)], 0, 0x100)))
                out.append(err(lambda: os.readv(1000, [bytearray(1)])))
            finally:
                os.close(r)
                os.close(w)
            return out
            """);

        Assert.Equal(new List<object?> { "TypeError", "BufferError", "TypeError", "errno 22", "errno 9", "errno 29", "errno 95", "errno 9" }, result);
    }

    [Fact]
    public async Task Sendfile_FromAFile_ToAPipeAFileAndASocketPair_WithLinuxOffsetSemantics()
    {
        var source = $"/data/{ManagedRuntimeFixture.Unique("sendfile-in")}";
        var target = $"/host/{ManagedRuntimeFixture.Unique("sendfile-out")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, socket
            with open('{{source}}', 'wb') as f:
                f.write(b'0123456789')
            src = os.open('{{source}}', os.O_RDONLY)
            dst = os.open('{{target}}', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            r, w = os.pipe()
            a, b = socket.socketpair()
            try:
                to_pipe = os.sendfile(w, src, 2, 3)
                kept = os.lseek(src, 0, os.SEEK_CUR)
                from_position = os.sendfile(dst, src, None, 4)
                moved = os.lseek(src, 0, os.SEEK_CUR)
                at_end = os.sendfile(w, src, 100, 5)
                to_socket = os.sendfile(a.fileno(), src, 6, 100)
                pipe_data = os.read(r, 100)
                socket_data = b.recv(100)
            finally:
                for fd in (src, dst, r, w):
                    os.close(fd)
                a.close(); b.close()
            with open('{{target}}', 'rb') as f:
                file_data = f.read()
            return [to_pipe, kept, from_position, moved, at_end, to_socket, pipe_data, socket_data, file_data]
            """);

        Assert.Equal(new List<object?> { 3L, 0L, 4L, 4L, 0L, 4L, "234"u8.ToArray(), "6789"u8.ToArray(), "0123"u8.ToArray() }, result);
    }

    [Fact]
    public async Task Sendfile_RefusesWhatLinuxRefuses()
    {
        var source = $"/data/{ManagedRuntimeFixture.Unique("sendfile-errors")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            with open('{{source}}', 'wb') as f:
                f.write(b'data')
            src = os.open('{{source}}', os.O_RDONLY)
            appending = os.open('{{source}}', os.O_WRONLY | os.O_APPEND)
            r, w = os.pipe()
            out = []
            def errno_of(f):
                try:
                    f()
                    return 0
                except OSError as e:
                    return e.errno
            try:
                out.append(errno_of(lambda: os.sendfile(w, r, None, 1)))       # input is a pipe
                out.append(errno_of(lambda: os.sendfile(src, w, 0, 1)))        # output not writable
                out.append(errno_of(lambda: os.sendfile(w, src, -1, 1)))       # negative offset
                out.append(errno_of(lambda: os.sendfile(w, src, 0, -1)))       # negative count
                out.append(errno_of(lambda: os.sendfile(appending, src, 0, 1)))  # O_APPEND output
                out.append(errno_of(lambda: os.sendfile(w, 999, 0, 1)))        # not a descriptor
            finally:
                for fd in (src, appending, r, w):
                    os.close(fd)
            return out
            """);

        Assert.Equal(new List<object?> { 22L, 9L, 22L, 22L, 22L, 9L }, result);
    }

    [Fact]
    public async Task CopyFileRange_CopiesBetweenFiles_AndRefusesOverlapsAndNonFiles()
    {
        var source = $"/data/{ManagedRuntimeFixture.Unique("cfr-in")}";
        var target = $"/data/{ManagedRuntimeFixture.Unique("cfr-out")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            with open('{{source}}', 'wb') as f:
                f.write(b'abcdefgh')
            src = os.open('{{source}}', os.O_RDWR)
            dst = os.open('{{target}}', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            r, w = os.pipe()
            out = []
            def errno_of(f):
                try:
                    return f()
                except OSError as e:
                    return 'errno %d' % e.errno
                except ValueError:
                    return 'ValueError'
            try:
                out.append(os.copy_file_range(src, dst, 3))
                out.append(os.lseek(src, 0, os.SEEK_CUR))
                out.append(os.copy_file_range(src, dst, 100, 6, 10))
                out.append(os.lseek(dst, 0, os.SEEK_CUR))
                out.append(errno_of(lambda: os.copy_file_range(src, src, 4, 0, 2)))
                out.append(os.copy_file_range(src, src, 2, 0, 8))
                out.append(errno_of(lambda: os.copy_file_range(src, w, 1)))
                out.append(errno_of(lambda: os.copy_file_range(src, dst, -1)))
                os.lseek(dst, 0, os.SEEK_SET)
                out.append(os.read(dst, 100))
            finally:
                for fd in (src, dst, r, w):
                    os.close(fd)
            return out
            """);

        Assert.Equal(new List<object?> { 3L, 3L, 2L, 3L, "errno 22", 2L, "errno 22", "ValueError", "abc\0\0\0\0\0\0\0gh"u8.ToArray() }, result);
    }

    [Fact]
    public async Task Splice_MovesBetweenAPipeAndAFile_AndHonoursNonblock()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("splice")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            with open('{{path}}', 'wb') as f:
                f.write(b'hello world')
            fd = os.open('{{path}}', os.O_RDWR)
            r, w = os.pipe()
            out = []
            try:
                out.append(os.splice(fd, w, 5))
                out.append(os.lseek(fd, 0, os.SEEK_CUR))
                out.append(os.splice(fd, w, 100, 6))
                out.append(os.read(r, 100))
                try:
                    os.splice(r, fd, 10, flags=os.SPLICE_F_NONBLOCK)
                    out.append('no error')
                except BlockingIOError:
                    out.append('EAGAIN')
                os.write(w, b'XYZ')
                out.append(os.splice(r, fd, 10, None, 0))
                out.append(os.pread(fd, 100, 0))
                try:
                    os.splice(fd, fd, 1)
                except OSError as e:
                    out.append(e.errno)
                try:
                    os.splice(r, fd, 1, 0)
                except OSError as e:
                    out.append(e.errno)
            finally:
                for x in (fd, r, w):
                    os.close(x)
            return out
            """);

        Assert.Equal(new List<object?> { 5L, 5L, 5L, "helloworld"u8.ToArray(), "EAGAIN", 3L, "XYZlo world"u8.ToArray(), 22L, 29L }, result);
    }

    [Fact]
    public async Task Eventfd_CountsWritesAndReads_AndSelectSeesItReadableWhenNotZero()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os, select
            e = os.eventfd(0, os.EFD_NONBLOCK)
            s = os.eventfd(2, os.EFD_SEMAPHORE)
            out = []
            try:
                out.append(len(select.select([e], [], [], 0)[0]))
                try:
                    os.eventfd_read(e)
                except BlockingIOError:
                    out.append('EAGAIN')
                os.eventfd_write(e, 3)
                os.eventfd_write(e, 4)
                out.append(select.select([e], [], [], 0)[0] == [e])
                p = select.poll()
                p.register(e, select.POLLIN)
                out.append(p.poll(0) == [(e, select.POLLIN)])
                out.append(os.eventfd_read(e))
                out.append(os.eventfd_read(s))
                out.append(os.eventfd_read(s))
                out.append(os.get_inheritable(e))
                out.append(os.get_blocking(e))
                for bad in (lambda: os.read(e, 4), lambda: os.write(e, b'1234'), lambda: os.eventfd_write(e, 2**64 - 1), lambda: os.eventfd(0, 0x4000)):
                    try:
                        bad()
                    except OSError as x:
                        out.append(x.errno)
                try:
                    os.eventfd(-1)
                except ValueError:
                    out.append('ValueError')
            finally:
                os.close(e)
                os.close(s)
            return out
            """);

        Assert.Equal(new List<object?> { 0L, "EAGAIN", true, true, 7L, 1L, 1L, true, false, 22L, 22L, 22L, 22L, "ValueError" }, result);
    }

    [Fact]
    public async Task Eventfd_ABlockingReadWaitsForAWriteFromAnotherThread()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os, threading
            e = os.eventfd(0)
            t = threading.Timer(0.05, lambda: os.eventfd_write(e, 42))
            t.start()
            try:
                value = os.eventfd_read(e)
            finally:
                t.join()
                os.close(e)
            return [value]
            """);

        Assert.Equal(new List<object?> { 42L }, result);
    }

    [Fact]
    public async Task MemfdCreate_MakesAnAnonymousFileInMemory_ThatFileIOAndStatSee()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os, stat
            fd = os.memfd_create('scratch')
            try:
                with open(fd, 'w+b', closefd=False) as f:
                    f.write(b'in memory')
                    f.seek(0)
                    content = f.read()
                st = os.fstat(fd)
                os.ftruncate(fd, 3)
                os.posix_fallocate(fd, 0, 16)
                size = os.fstat(fd).st_size
                inheritable = os.get_inheritable(fd)
                other = os.memfd_create(b'bytes-name', 0)
                other_inheritable = os.get_inheritable(other)
                os.close(other)
                try:
                    os.memfd_create('x' * 250)
                    too_long = 'no error'
                except OSError as e:
                    too_long = e.errno
            finally:
                os.close(fd)
            return [content, stat.S_ISREG(st.st_mode), st.st_size, size, inheritable, other_inheritable, too_long]
            """);

        Assert.Equal(new List<object?> { "in memory"u8.ToArray(), true, 9L, 16L, false, true, 22L }, result);
    }

    [Fact]
    public async Task PosixFallocateAndFadvise_CheckTheirArguments_AndFallocateGrowsAFile()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("fallocate")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            fd = os.open('{{path}}', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
            r, w = os.pipe()
            out = []
            def errno_of(f):
                try:
                    f()
                    return 0
                except OSError as e:
                    return e.errno
            try:
                os.write(fd, b'abc')
                os.posix_fallocate(fd, 10, 5)
                out.append(os.fstat(fd).st_size)
                os.posix_fallocate(fd, 0, 2)
                out.append(os.fstat(fd).st_size)
                out.append(errno_of(lambda: os.posix_fallocate(fd, 0, 0)))
                out.append(errno_of(lambda: os.posix_fallocate(w, 0, 1)))
                out.append(errno_of(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)))
                out.append(errno_of(lambda: os.posix_fadvise(fd, 0, 0, 99)))
                out.append(errno_of(lambda: os.posix_fadvise(r, 0, 0, 0)))
            finally:
                for x in (fd, r, w):
                    os.close(x)
            return out
            """);

        Assert.Equal(new List<object?> { 15L, 15L, 22L, 29L, 0L, 22L, 29L }, result);
    }
}
