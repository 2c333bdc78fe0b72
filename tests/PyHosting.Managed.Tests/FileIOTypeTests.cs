using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// The managed <c>io.FileIO</c>, a C-level type over the runtime's descriptors: it behaves as CPython's <c>_io.FileIO</c>
/// for the buffered and text layers, for subclasses and for misuse, on the in-memory mount <c>/data</c> and the physical
/// mount <c>/host</c>.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class FileIOTypeTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task OpenReturnsTheCLevelType_ItsMethodsAreCMethods_AndTheStackIsCPythons()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, _io
            raw = open('/data/ctype.bin', 'wb', buffering=0)
            kinds = sorted({type(vars(io.FileIO)[k]).__name__ for k in ('read', 'readall', 'readinto', 'write', 'seek', 'tell', 'truncate', 'close', 'fileno', 'isatty')})
            raw.close()
            with open('/data/ctype.txt', 'w') as f:
                stack = [type(f).__name__, type(f.buffer).__name__, type(f.buffer.raw).__name__]
            return [type(raw) is io.FileIO and io.FileIO is _io.FileIO, issubclass(io.FileIO, _io._RawIOBase), isinstance(raw, io.IOBase), kinds, stack]
            """);

        Assert.Equal(new List<object?> { true, true, true, new List<object?> { "method_descriptor" }, new List<object?> { "TextIOWrapper", "BufferedWriter", "FileIO" } }, result);
    }

    [Theory]
    [InlineData("/data")]
    [InlineData("/host")]
    public async Task EveryMethod_BehavesAsCPythonsFileIO(string root)
    {
        var name = ManagedRuntimeFixture.Unique("methods");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import io
            p = '{{root}}/{{name}}'
            f = io.FileIO(p, 'w+')
            out = [f.mode, f.closefd, f.name == p, f.closed, f.readable(), f.writable(), f.seekable(), f.isatty(), f.fileno() >= 3]
            out.append(f.write(b'hello world'))
            out.append(f.tell())
            out.append(f.seek(0))
            b = bytearray(5)
            out.append(f.readinto(b))
            out.append(bytes(b))
            out.append(f.read(3))
            out.append(f.readall())
            out.append(f.seek(-5, 2))
            out.append(f.read())
            out.append(f.truncate(4))
            out.append(f.seek(0))
            out.append(f.read())
            out.append(f.truncate())
            out.append(repr(f).startswith("<_io.FileIO name='" + p + "' mode='rb+' closefd=True>"))
            f.close()
            f.close()
            out += [f.closed, repr(f)]
            with io.FileIO(p, 'a') as g:
                out += [g.mode, g.tell(), g.write(b'!')]
            with io.FileIO(p, 'rb') as g:
                out += [g.mode, g.read()]
                try:
                    g.write(b'x')
                except io.UnsupportedOperation as e:
                    out.append(str(e))
            try:
                io.FileIO(p, 'x')
            except FileExistsError as e:
                out.append(e.errno)
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                "rb+", true, true, false, true, true, true, false, true,
                11L, 11L, 0L, 5L, "hello"u8.ToArray(), " wo"u8.ToArray(), "rld"u8.ToArray(), 6L, "world"u8.ToArray(),
                4L, 0L, "hell"u8.ToArray(), 4L, true,
                true, "<_io.FileIO [closed]>",
                "ab", 4L, 1L,
                "rb", "hell!"u8.ToArray(), "File not open for writing",
                17L,
            },
            result);
    }

    [Fact]
    public async Task Misuse_RaisesWhatCPythonRaises()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, os, pickle
            out = []
            def attempt(f):
                try:
                    f()
                    out.append('returned')
                except Exception as e:
                    out.append(type(e).__name__ + (':%d' % e.errno if isinstance(e, OSError) and e.errno else ''))
            attempt(lambda: io.FileIO(1.5))
            attempt(lambda: io.FileIO(-1))
            attempt(lambda: io.FileIO(900))
            attempt(lambda: io.FileIO('/data', 'r'))
            attempt(lambda: io.FileIO('/data/x', 'rw'))
            attempt(lambda: io.FileIO('/data/x', 'w', closefd=False))
            attempt(lambda: io.FileIO('/data/x', 'w', bogus=1))
            attempt(lambda: io.FileIO('/data/nothing-here'))
            attempt(lambda: io.FileIO('/data/x', 'w', opener=lambda p, fl: 'three'))
            attempt(lambda: io.FileIO('/data/x', 'w', opener=lambda p, fl: -2))
            attempt(lambda: io.FileIO('/data/x', 'w', opener=lambda p, fl: 700))
            attempt(lambda: io.FileIO.read(io.BytesIO(b'x')))
            attempt(lambda: io.FileIO.close(object()))
            attempt(lambda: pickle.dumps(io.FileIO('/data/x', 'w')))
            unopened = io.FileIO.__new__(io.FileIO)
            attempt(lambda: unopened.read())
            attempt(lambda: unopened.fileno())
            attempt(lambda: unopened.close())
            f = io.FileIO('/data/x', 'w')
            f.name = f
            attempt(lambda: repr(f))
            f.close()
            for m in ('read', 'readall', 'write', 'seek', 'tell', 'truncate', 'fileno', 'isatty', 'readable', 'writable', 'seekable'):
                args = (b'x',) if m == 'write' else (0,) if m == 'seek' else ()
                attempt(lambda: getattr(f, m)(*args))
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                "TypeError", "ValueError", "OSError:9", "IsADirectoryError:21", "ValueError", "ValueError", "TypeError",
                "FileNotFoundError:2", "TypeError", "ValueError", "OSError:9", "TypeError", "TypeError", "TypeError",
                "ValueError", "ValueError", "returned", "RuntimeError",
                "ValueError", "ValueError", "ValueError", "ValueError", "ValueError", "ValueError", "ValueError",
                "ValueError", "ValueError", "ValueError", "ValueError",
            },
            result);
    }

    [Fact]
    public async Task Subclasses_WorkUnderTheBufferedLayers_AndASecondInitClosesTheFirstFile()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, os
            class Counting(io.FileIO):
                reads = 0
                def readinto(self, b):
                    Counting.reads += 1
                    return super().readinto(b)
            with open('/data/sub.txt', 'w') as f:
                f.write('line one\nline two\n')
            raw = Counting('/data/sub.txt')
            with io.TextIOWrapper(io.BufferedReader(raw), encoding='utf-8') as t:
                lines = t.readlines()
            out = [lines, Counting.reads > 0, raw.closed]
            f = io.FileIO('/data/sub.txt')
            first = f.fileno()
            f.__init__('/data/sub.txt', 'rb')
            try:
                os.fstat(first) if first != f.fileno() else None
                out.append('first still open' if first != f.fileno() else 'reused')
            except OSError as e:
                out.append(e.errno)
            f.close()
            return out
            """);

        Assert.Equal(new List<object?> { "line one\n", "line two\n" }, result![0]);
        Assert.Equal(true, result[1]);
        Assert.Equal(true, result[2]);
        Assert.Contains(result[3], new object?[] { 9L, "reused" });
    }

    [Fact]
    public async Task ConcurrentCloseFromThreads_ClosesTheDescriptorOnce_AndLeavesOtherFilesAlone()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, os, threading
            errors = []
            survivors = 0
            for round in range(20):
                class Slow(io.FileIO):
                    def flush(self):
                        os.sched_yield() if hasattr(os, 'sched_yield') else None
                        super().flush()
                f = Slow('/data/race.bin', 'wb')
                barrier = threading.Barrier(4)
                def close():
                    barrier.wait()
                    try:
                        f.close()
                    except ValueError:
                        pass  # a racing flush found the file closed, as with CPython's FileIO
                    except Exception as e:
                        errors.append(repr(e))
                threads = [threading.Thread(target=close) for _ in range(4)]
                for t in threads:
                    t.start()
                # A file opened meanwhile may get the same descriptor number: no second close may reach it.
                other = open('/data/other.bin', 'wb', buffering=0)
                for t in threads:
                    t.join()
                other.write(b'still open')
                other.close()
                survivors += f.closed
            return [errors, survivors]
            """);

        Assert.Equal(new List<object?>(), result![0]);
        Assert.Equal(20L, result[1]);
    }

    [Fact]
    public async Task Open_ChecksItsArgumentsAsCPython_AndClosesWhatItMadeWhenALaterLayerFails()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, os, pathlib, warnings
            out = []
            def attempt(f):
                try:
                    r = f()
                    out.append(type(r).__name__)
                    r.close()
                except Exception as e:
                    out.append(type(e).__name__ + ': ' + str(e))
            with open('/data/open.txt', 'w') as f:
                f.write('x')
            attempt(lambda: open(pathlib.PurePosixPath('/data/open.txt')))
            attempt(lambda: open(b'/data/open.txt', 'rb'))
            attempt(lambda: open('/data/open.txt', 'r+b'))
            attempt(lambda: open('/data/open.txt', 'ab', buffering=0))
            attempt(lambda: open('/data/open.txt', 3))
            attempt(lambda: open('/data/open.txt', 'r', buffering='1'))
            attempt(lambda: open('/data/open.txt', 'rbt'))
            attempt(lambda: open('/data/open.txt', 'rr'))
            attempt(lambda: open('/data/open.txt', 'rb', encoding='utf-8'))
            attempt(lambda: open('/data/open.txt', 'rb', errors='strict'))
            attempt(lambda: open('/data/open.txt', 'rb', newline=''))
            attempt(lambda: open('/data/open.txt', 'r', buffering=0))
            attempt(lambda: open('/data/open.txt', 'r', encoding='no-such-codec'))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                attempt(lambda: open('/data/open.txt', 'rb', buffering=1))
            out.append([str(w.category.__name__) for w in caught])
            with open('/data/open.txt', 'r', encoding='utf-8', newline='') as t:
                out += [t.mode, t.buffer.raw.mode, t.line_buffering, t.read()]
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                "TextIOWrapper", "BufferedReader", "BufferedRandom", "FileIO",
                "TypeError: open() argument 'mode' must be str, not int",
                "TypeError: an integer is required",
                "ValueError: can't have text and binary mode at once",
                "ValueError: invalid mode: 'rr'",
                "ValueError: binary mode doesn't take an encoding argument",
                "ValueError: binary mode doesn't take an errors argument",
                "ValueError: binary mode doesn't take a newline argument",
                "ValueError: can't have unbuffered text I/O",
                "LookupError: unknown encoding: no-such-codec",
                "BufferedReader",
                new List<object?> { "RuntimeWarning" },
                "r", "rb", false, "x",
            },
            result);
    }

    [Fact]
    public async Task Open_WhenTheTextLayerFails_ClosesTheRawFile()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, os
            with open('/data/leak.txt', 'w') as f:
                f.write('x')
            first = os.open('/data/leak.txt', os.O_RDONLY)
            os.close(first)
            try:
                open('/data/leak.txt', 'r', encoding='no-such-codec')
            except LookupError:
                pass
            again = os.open('/data/leak.txt', os.O_RDONLY)
            os.close(again)
            return [first, again]
            """);

        Assert.Equal(result![0], result[1]);
    }

    [Theory]
    [InlineData("/data")]
    [InlineData("/host")]
    public async Task AnUnclosedFile_WarnsWhenItIsCollected_NamingWhatTheCodeHeld_AndAClosedOneDoesNot(string root)
    {
        var name = ManagedRuntimeFixture.Unique("unclosed");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import gc, io, os, warnings
            p = '{{root}}/{{name}}'
            def collect(make):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter('always')
                    f = make()
                    held = repr(f)
                    del f
                    gc.collect()
                return [(w.category.__name__, str(w.message) == 'unclosed file ' + held) for w in caught]
            def closed():
                f = open(p, 'w')
                f.close()
                return f
            out = [
                collect(lambda: open(p, 'w')),
                collect(lambda: open(p, 'rb')),
                collect(lambda: open(p, 'rb', buffering=0)),
                collect(closed),
                collect(lambda: io.FileIO(os.open(p, os.O_RDONLY), closefd=True)),
            ]
            fd = os.open(p, os.O_RDONLY)
            out.append(collect(lambda: io.FileIO(fd, closefd=False)))
            os.close(fd)
            # A filter that turns the warning into an error: the finalizer cannot raise it; the file is closed all the same.
            with warnings.catch_warnings():
                warnings.simplefilter('error', ResourceWarning)
                f = open(p, 'rb', buffering=0)
                number = f.fileno()
                del f
                gc.collect()
            try:
                os.fstat(number)
                out.append('still open')
            except OSError as e:
                out.append(e.errno)
            return out
            """);

        var warned = new List<object?> { new List<object?> { "ResourceWarning", true } };
        Assert.Equal(new List<object?> { warned, warned, warned, new List<object?>(), warned, new List<object?>(), 9L }, result);
    }

    [Fact]
    public async Task ModesAndDescriptors_AreCheckedBeforeAnythingIsOpened_AndTheBlockSizeIsWhatFstatReports()
    {
        var name = "/data/" + ManagedRuntimeFixture.Unique("checks");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import io, os
            out = []
            for mode in ('', 'aU', 'wU+', 'rw', 'rt', 'wt'):
                try:
                    io.FileIO('{{name}}', mode).close()
                    out.append('opened')
                except ValueError:
                    out.append('ValueError')
            out.append(os.path.exists('{{name}}'))
            for fd in (2**31, -2**31 - 1, 2**70):
                try:
                    io.FileIO(fd)
                    out.append('opened')
                except TypeError as e:
                    out.append(str(e))
            with open('{{name}}', 'wb') as f:
                out += [f.raw._blksize == os.fstat(f.fileno()).st_blksize, f.raw._blksize > 1]
            with open('{{name}}', 'w') as f:
                out.append(f.buffer.raw._blksize)
            return out
            """);

        var typeError = "expected str, bytes or os.PathLike object, not int";
        Assert.Equal(
            new List<object?> { "ValueError", "ValueError", "ValueError", "ValueError", "ValueError", "ValueError", false, typeError, typeError, typeError, true, true, 4096L },
            result);
    }

    [Fact]
    public async Task AFlushThatFailsOnClose_RaisesItsError_AndTheFileIsClosedAllTheSame()
    {
        var name = "/data/" + ManagedRuntimeFixture.Unique("badflush");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            out = []
            for make in (lambda: open('{{name}}', 'wb', buffering=0), lambda: open(os.open('{{name}}', os.O_WRONLY | os.O_CREAT), 'wb', buffering=0)):
                f = make()
                seen = []
                def bad_flush():
                    seen.append(f.closed)
                    raise OSError('flush failed')
                f.flush = bad_flush
                try:
                    f.close()
                    out.append('no error')
                except OSError as e:
                    out.append(str(e))
                out += [f.closed, seen]
                f.flush = lambda: None
            return out
            """);

        Assert.Equal(new List<object?> { "flush failed", true, new List<object?> { false }, "flush failed", true, new List<object?> { false } }, result);
    }
}
