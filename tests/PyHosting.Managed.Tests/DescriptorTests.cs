using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary>Virtual file descriptors: small numbers of a per-runtime table, 0/1/2 bound to the runtime's streams.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class DescriptorTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task OsOpen_ReturnsSmallNumbersAndReadsWritesSeeksThroughThem()
    {
        var name = ManagedRuntimeFixture.Unique("fd");
        var result = await fixture.RunAsync<string>($$"""
            import os
            fd = os.open('/data/{{name}}', os.O_RDWR | os.O_CREAT, 0o600)
            written = os.write(fd, b'hello world')
            start = os.lseek(fd, 0, os.SEEK_SET)
            first = os.read(fd, 5)
            middle = os.pread(fd, 3, 6)
            os.pwrite(fd, b'W', 6)
            st = os.fstat(fd)
            os.ftruncate(fd, 8)
            os.fsync(fd)
            os.close(fd)
            try:
                os.read(fd, 1)
            except OSError as e:
                closed = e.errno
            return repr([3 <= fd < 64, written, start, first, middle, oct(st.st_mode & 0o777), st.st_size, open('/data/{{name}}', 'rb').read(), closed])
            """);

        Assert.Equal("[True, 11, 0, b'hello', b'wor', '0o600', 11, b'hello Wo', 9]", result);
    }

    [Fact]
    public async Task DupDup2AndCloserange_ShareAndReleaseOpenFiles()
    {
        var name = ManagedRuntimeFixture.Unique("dup");
        var result = await fixture.RunAsync<string>($$"""
            import os
            fd = os.open('/data/{{name}}', os.O_WRONLY | os.O_CREAT)
            copy = os.dup(fd)
            target = os.dup2(fd, 40)
            os.write(fd, b'a')
            os.write(copy, b'b')
            os.write(40, b'c')
            os.close(fd)
            os.write(copy, b'd')
            os.closerange(copy, copy + 1)
            os.close(40)
            errors = []
            for n in (fd, copy, 40):
                try:
                    os.fstat(n)
                except OSError as e:
                    errors.append(e.errno)
            return repr([copy > fd, target, open('/data/{{name}}').read(), errors])
            """);

        Assert.Equal("[True, 40, 'abcd', [9, 9, 9]]", result);
    }

    [Fact]
    public async Task Pipe_CarriesBytesUntilTheWriterCloses()
    {
        var result = await fixture.RunAsync<string>("""
            import os
            r, w = os.pipe()
            os.write(w, b'through ')
            with os.fdopen(w, 'w') as writer:
                writer.write('the pipe')
            with os.fdopen(r) as reader:
                return reader.read()
            """);

        Assert.Equal("through the pipe", result);
    }

    [Fact]
    public async Task Fd1AndFd2_ReachTheRuntimeOutput()
    {
        var (output, error) = await fixture.OutputOfAsync("""
            import os, sys
            os.write(1, b'raw stdout\n')
            os.write(2, 'raw stderr é\n'.encode())
            print('print stdout')
            print('print stderr', file=sys.stderr)
            """);

        Assert.Equal("raw stdout\nprint stdout\n", output);
        Assert.Equal("raw stderr é\nprint stderr\n", error);
    }

    [Fact]
    public async Task StandardDescriptors_AreNotTerminals()
    {
        var result = await fixture.RunAsync<string>("""
            import os, sys
            try:
                os.get_terminal_size()
            except OSError as e:
                size = e.errno
            return repr([os.isatty(0), os.isatty(1), sys.stdout.isatty(), size, os.read(0, 10)])
            """);

        Assert.Equal("[False, False, False, 25, b'']", result);
    }

    [Fact]
    public async Task DirectoryDescriptors_CanBeInspectedButNotRead()
    {
        var name = ManagedRuntimeFixture.Unique("dirfd");
        var result = await fixture.RunAsync<string>($$"""
            import os, stat
            os.makedirs('/data/{{name}}/sub')
            fd = os.open('/data/{{name}}', os.O_RDONLY)
            is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
            os.fsync(fd)
            listed = os.listdir(fd)
            try:
                os.read(fd, 1)
            except IsADirectoryError as e:
                read_error = e.errno
            os.fchdir(fd)
            here = os.getcwd()
            os.chdir('/')
            os.close(fd)
            try:
                os.open('/data/{{name}}', os.O_RDONLY | os.O_DIRECTORY | os.O_WRONLY)
            except OSError as e:
                write_error = e.errno
            return repr([is_dir, listed, read_error, here, write_error])
            """);

        Assert.Equal($"[True, ['sub'], 21, '/data/{name}', 21]", result);
    }

    [Fact]
    public async Task NoFollow_RefusesAFinalSymbolicLink()
    {
        var name = ManagedRuntimeFixture.Unique("nofollow");
        var errno = await fixture.RunAsync<long>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            os.symlink('/data/{{name}}', '/data/{{name}}-link')
            try:
                os.open('/data/{{name}}-link', os.O_RDONLY | os.O_NOFOLLOW)
            except OSError as e:
                return e.errno
            """);

        Assert.Equal(Errno.ELOOP, errno);
    }

    [Fact]
    public async Task DevNull_DiscardsWritesAndReadsNothing()
    {
        var result = await fixture.RunAsync<string>("""
            import os
            with open(os.devnull, 'w') as f:
                f.write('gone')
            return repr(open(os.devnull).read())
            """);

        Assert.Equal("''", result);
    }
}
