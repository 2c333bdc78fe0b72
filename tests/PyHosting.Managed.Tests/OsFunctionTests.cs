using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary><c>os</c> file and directory functions and <c>os.path</c>, through the providers.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class OsFunctionTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task MkdirMakedirsListdirScandirAndWalk_SeeTheSameTree()
    {
        var root = "/data/" + ManagedRuntimeFixture.Unique("tree");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            os.mkdir('{{root}}')
            os.makedirs('{{root}}/a/b/c', exist_ok=True)
            for i in range(3):
                with open(f'{{root}}/a/f{i}.txt', 'w') as f:
                    f.write('x' * i)
            listed = sorted(os.listdir('{{root}}/a'))
            scanned = sorted((e.name, e.is_dir(), e.is_file(), e.stat().st_size) for e in os.scandir('{{root}}/a'))
            walked = [(d[len('{{root}}'):], sorted(ds), sorted(fs)) for d, ds, fs in os.walk('{{root}}')]
            as_bytes = os.listdir(b'{{root}}')
            return [listed, scanned, walked, as_bytes]
            """);

        Assert.Equal(["b", "f0.txt", "f1.txt", "f2.txt"], ((List<object?>)result![0]!).Cast<string>());
        Assert.Equal("[[b, True, False, 4096], [f0.txt, False, True, 0], [f1.txt, False, True, 1], [f2.txt, False, True, 2]]", Flatten(result[1]));
        Assert.Equal("[[, [a], []], [/a, [b], [f0.txt, f1.txt, f2.txt]], [/a/b, [c], []], [/a/b/c, [], []]]", Flatten(result[2]));
        Assert.Equal("a"u8.ToArray(), (byte[])((List<object?>)result[3]!)[0]!);
    }

    [Fact]
    public async Task ScandirEntries_AreOsDirEntry_CannotBeMadeOrPickled_AndAnAbandonedIteratorWarns()
    {
        var root = "/data/" + ManagedRuntimeFixture.Unique("entries");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import gc, os, pickle, posix, warnings
            os.makedirs('{{root}}/d')
            open('{{root}}/f', 'w').close()
            entries = list(os.scandir('{{root}}'))
            out = [all(isinstance(e, os.DirEntry) for e in entries), os.DirEntry is posix.DirEntry, os.DirEntry.__name__, os.DirEntry[str].__origin__ is os.DirEntry]
            for attempt in (lambda: os.DirEntry(), lambda: pickle.dumps(entries[0])):
                try:
                    attempt()
                    out.append('no error')
                except TypeError as e:
                    out.append(str(e))
            def warnings_of(make):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter('always')
                    it = make()
                    del it
                    gc.collect()
                return [w.category.__name__ for w in caught]
            def started():
                it = os.scandir('{{root}}')
                next(it)
                return it
            def exhausted():
                it = os.scandir('{{root}}')
                list(it)
                return it
            def closed():
                with os.scandir('{{root}}') as it:
                    next(it)
                return it
            out += [warnings_of(started), warnings_of(exhausted), warnings_of(closed)]
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                true, true, "DirEntry", true, "cannot create 'posix.DirEntry' instances", "cannot pickle 'posix.DirEntry' object",
                new List<object?> { "ResourceWarning" }, new List<object?>(), new List<object?>(),
            },
            result);
    }

    [Fact]
    public async Task PathArguments_KeepTheErrorOfAFailingFspath_AndTakeBytesLikeObjectsWithADeprecationWarning()
    {
        var root = "/data/" + ManagedRuntimeFixture.Unique("pathlike");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, warnings
            os.mkdir('{{root}}')
            class FakePath:
                def __init__(self, value):
                    self.value = value
                def __fspath__(self):
                    if isinstance(self.value, BaseException):
                        raise self.value
                    return self.value
            out = []
            for value in (2, 2.5, object(), KeyError('inner')):
                try:
                    os.stat(FakePath(value))
                    out.append('no error')
                except Exception as e:
                    out.append(type(e).__name__ + ': ' + str(e))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                listed = os.listdir(bytearray(b'{{root}}'))
                entries = [e.name for e in os.scandir(memoryview(b'{{root}}/..'))]
            out += [listed, '{{root}}'.rsplit('/', 1)[1].encode() in entries, [w.category.__name__ for w in caught], all('should be' in str(w.message) for w in caught)]
            with warnings.catch_warnings():
                warnings.simplefilter('error', DeprecationWarning)
                try:
                    os.stat(bytearray(b'{{root}}'))
                    out.append('no error')
                except DeprecationWarning:
                    out.append('DeprecationWarning raised')
            try:
                os.stat([1, 2])
            except TypeError as e:
                out.append(str(e))
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                "TypeError: expected FakePath.__fspath__() to return str or bytes, not int",
                "TypeError: expected FakePath.__fspath__() to return str or bytes, not float",
                "TypeError: expected FakePath.__fspath__() to return str or bytes, not object",
                "KeyError: 'inner'",
                new List<object?>(), true, new List<object?> { "DeprecationWarning", "DeprecationWarning" }, true,
                "DeprecationWarning raised",
                "path: path should be string, bytes or os.PathLike or integer, not list",
            },
            result);
    }

    [Theory]
    [InlineData("/data")]
    [InlineData("/host")]
    public async Task OpeningANameWithATrailingSlash_AsksForADirectory_AsTheKernelDoes(string root)
    {
        var name = root + "/" + ManagedRuntimeFixture.Unique("slash");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, shutil
            os.mkdir('{{name}}')
            with open('{{name}}/file', 'w') as f:
                f.write('x')
            out = []
            for path, mode in (('{{name}}/missing/', 'w'), ('{{name}}/missing/', 'r'), ('{{name}}/file/', 'r'), ('{{name}}/file/', 'a'), ('{{name}}/', 'w')):
                try:
                    open(path, mode).close()
                    out.append('opened')
                except OSError as e:
                    out.append(type(e).__name__)
            try:
                shutil.copyfile('{{name}}/file', '{{name}}/missing/')
            except FileNotFoundError as e:
                out.append(str(e))
            fd = os.open('{{name}}/', os.O_RDONLY)
            out.append(os.path.samestat(os.fstat(fd), os.stat('{{name}}')))
            os.close(fd)
            out.append(sorted(os.listdir('{{name}}')))
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                "IsADirectoryError", "FileNotFoundError", "NotADirectoryError", "NotADirectoryError", "IsADirectoryError",
                $"Directory does not exist: {name}/missing/", true, new List<object?> { "file" },
            },
            result);
    }

    [Fact]
    public async Task PathconfAndEnvironmentNames_AnswerAsLinux_AndRefuseWhatCPythonRefuses()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os
            out = [os.pathconf('/data', 'PC_NAME_MAX'), os.pathconf('/data', os.pathconf_names['PC_PATH_MAX'])]
            fd = os.open('/data', os.O_RDONLY)
            out.append(os.fpathconf(fd, 'PC_NAME_MAX'))
            os.close(fd)
            def error(f):
                try:
                    f()
                    return 'no error'
                except OSError as e:
                    return e.errno
                except (TypeError, ValueError) as e:
                    return type(e).__name__
            out += [error(lambda: os.fpathconf(fd, 'PC_NAME_MAX')), error(lambda: os.pathconf(fd, 'PC_NAME_MAX')), error(lambda: os.pathconf('/data/missing-dir', 'PC_NAME_MAX')),
                    error(lambda: os.pathconf('/data', 9999)), error(lambda: os.pathconf('/data', 'PC_NOPE')), error(lambda: os.pathconf('/data', 1.5))]
            for name in ('', '=name', 'na=me', 'name=', 'name\0', 'na\0me'):
                out.append([error(lambda: os.putenv(name, 'value')), error(lambda: os.unsetenv(name))])
            out.append(error(lambda: os.putenv('NAME', 'va\0lue')))
            return out
            """);

        var refused = new List<object?> { "ValueError", "ValueError" };
        Assert.Equal(
            new List<object?> { 255L, 4096L, 255L, 9L, 9L, 2L, 22L, "ValueError", "TypeError", refused, refused, refused, refused, refused, refused, "ValueError" },
            result);
    }

    [Fact]
    public async Task ReplacedFunctions_NameTheModuleTheyStandIn()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os, posix, threading, _thread
            return [os.stat.__module__, posix.listdir.__module__, threading.stack_size.__module__, _thread.stack_size.__name__, os.open.__name__]
            """);

        Assert.Equal(new List<object?> { "posix", "posix", "_thread", "stack_size", "open" }, result);
    }

    [Fact]
    public async Task RemoveRmdirRenameAndReplace_ChangeTheProvider()
    {
        var name = ManagedRuntimeFixture.Unique("mut");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            d = '/data/{{name}}'
            os.mkdir(d)
            open(d + '/a', 'w').write('A')
            open(d + '/b', 'w').write('B')
            os.rename(d + '/a', d + '/c')
            os.replace(d + '/c', d + '/b')
            os.mkdir(d + '/empty')
            os.rmdir(d + '/empty')
            errors = []
            try:
                os.rmdir(d)
            except OSError as e:
                errors.append(e.errno)
            os.unlink(d + '/b')
            try:
                os.remove(d + '/b')
            except FileNotFoundError as e:
                errors.append(e.errno)
            os.rmdir(d)
            return [errors, os.path.exists(d)]
            """);

        Assert.Equal("[[39, 2], False]", Flatten(result));
        Assert.Null(fixture.Data.GetStatus("/" + name));
    }

    [Fact]
    public async Task RenameAcrossMounts_IsCrossDeviceLink()
    {
        var name = ManagedRuntimeFixture.Unique("xdev");
        var result = await fixture.RunAsync<string>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            try:
                os.rename('/data/{{name}}', '/tmp/{{name}}')
            except OSError as e:
                return str(e)
            """);

        Assert.Equal($"[Errno 18] Invalid cross-device link: '/data/{name}' -> '/tmp/{name}'", result);
    }

    [Fact]
    public async Task StatLstatChmodUtimeAndTruncate_RoundTripThroughTheProvider()
    {
        var name = ManagedRuntimeFixture.Unique("meta");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, stat
            p = '/data/{{name}}'
            with open(p, 'w') as f:
                f.write('0123456789')
            os.chmod(p, 0o600)
            os.utime(p, (1000, 2000.5))
            times = [os.stat(p).st_atime, os.stat(p).st_mtime]
            os.utime(p, ns=(3_000_000_000, 4_000_000_100))
            ns = os.stat(p).st_mtime_ns
            os.truncate(p, 4)
            st = os.stat(p)
            return [oct(stat.S_IMODE(st.st_mode)), stat.S_ISREG(st.st_mode), st.st_size, times, ns, os.path.getsize(p)]
            """);

        Assert.Equal("[0o600, True, 4, [1000, 2000.5], 4000000100, 4]", Flatten(result));
        var status = fixture.Data.GetStatus("/" + name)!;
        Assert.Equal(0x180, status.Mode);
        Assert.Equal(4, status.Size);
    }

    [Fact]
    public async Task UtimeWithoutTimes_UsesTheRuntimeClock()
    {
        var name = ManagedRuntimeFixture.Unique("now");
        var mtime = await fixture.RunAsync<double>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            os.utime('/data/{{name}}')
            return os.stat('/data/{{name}}').st_mtime
            """);

        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, mtime, 3);
    }

    [Fact]
    public async Task SymlinkReadlinkAndLstat_WorkInOneMount()
    {
        var name = ManagedRuntimeFixture.Unique("link");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, stat
            d = '/data/{{name}}'
            os.mkdir(d)
            open(d + '/target', 'w').write('through the link')
            os.symlink('target', d + '/relative')
            os.symlink(d + '/target', d + '/absolute')
            return [os.readlink(d + '/relative'), stat.S_ISLNK(os.lstat(d + '/absolute').st_mode),
                    open(d + '/relative').read(), open(d + '/absolute').read(),
                    os.path.islink(d + '/absolute'), os.path.realpath(d + '/absolute')]
            """);

        Assert.Equal(["target", true, "through the link", "through the link", true, $"/data/{name}/target"], result!);
    }

    [Fact]
    public async Task Link_InOneMount_GivesASecondNameAndFollowsSymlinksAsAsked()
    {
        var name = ManagedRuntimeFixture.Unique("hard");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os, stat
            d = '/data/{{name}}'
            os.mkdir(d)
            open(d + '/a', 'w').write('shared')
            os.link(d + '/a', d + '/b')
            open(d + '/b', 'a').write(' content')
            os.symlink('a', d + '/sym')
            os.link(d + '/sym', d + '/followed')
            os.link(d + '/sym', d + '/itself', follow_symlinks=False)
            os.remove(d + '/a')
            return [open(d + '/b').read(), os.stat(d + '/b').st_nlink,
                    os.path.samefile(d + '/b', d + '/followed'), stat.S_ISLNK(os.lstat(d + '/itself').st_mode)]
            """);

        Assert.Equal(["shared content", 2L, true, true], result!);
        Assert.Equal("shared content", ManagedRuntimeFixture.ReadText(fixture.Data, $"/{name}/followed"));
    }

    [Theory]
    [InlineData("os.link('/data/{0}/f', '/tmp/{0}-f')", "OSError 18")]
    [InlineData("os.link('/data/{0}', '/data/{0}-dir')", "PermissionError 1")]
    [InlineData("os.link('/data/{0}/f', '/data/{0}/f')", "FileExistsError 17")]
    [InlineData("os.link('/data/{0}/missing', '/data/{0}/g')", "FileNotFoundError 2")]
    [InlineData("os.link('/usr/lib/python3.11/os.py', '/data/{0}/os.py')", "OSError 30")]
    [InlineData("os.link('/data/{0}/f', '/usr/lib/python3.11/planted.py')", "OSError 30")]
    [InlineData("os.link('/data/{0}/f', 'g', dst_dir_fd=0)", "NotADirectoryError 20")]
    public async Task Link_Refused_WithThePosixError(string call, string expected)
    {
        var name = ManagedRuntimeFixture.Unique("hardno");
        var result = await fixture.RunAsync<string>($$"""
            import os
            os.mkdir('/data/{{name}}')
            open('/data/{{name}}/f', 'w').close()
            try:
                {{string.Format(System.Globalization.CultureInfo.InvariantCulture, call, name)}}
            except OSError as e:
                return f'{type(e).__name__} {e.errno}'
            return 'linked'
            """);

        Assert.Equal(expected, result);
        Assert.Null(fixture.Tmp.GetStatus($"/{name}-f"));
    }

    [Fact]
    public async Task SupportsSets_NameWhatTheManagedFunctionsTake_SoShutilCopiesALinkItselfAndFwalkExists()
    {
        var name = ManagedRuntimeFixture.Unique("sets");
        var result = await fixture.RunAsync<string>($$"""
            import os, shutil
            d = '/data/{{name}}'
            os.mkdir(d)
            open(d + '/target', 'w').write('t')
            os.symlink('target', d + '/link')
            os.utime(d + '/link', ns=(1_000_000_000, 2_000_000_000), follow_symlinks=False)
            shutil.copy2(d + '/link', d + '/copy', follow_symlinks=False)
            return repr([
                sorted(f.__name__ for f in os.supports_follow_symlinks), sorted(f.__name__ for f in os.supports_fd),
                len(os.supports_dir_fd), os.readlink(d + '/copy'), os.lstat(d + '/copy').st_mtime_ns, hasattr(os, 'fwalk')])
            """);

        Assert.Equal(
            "[['access', 'chown', 'link', 'stat', 'utime'], ['chdir', 'chmod', 'chown', 'listdir', 'scandir', 'stat', 'truncate', 'utime'], "
            + "13, 'target', 2000000000, True]",
            result);
    }

    [Fact]
    public async Task AbsoluteLinksAcrossMounts_AreFollowedByTheRuntime()
    {
        var name = ManagedRuntimeFixture.Unique("cross");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            os.makedirs('/tmp/{{name}}/real')
            open('/tmp/{{name}}/real/file.txt', 'w').write('in /tmp')
            os.symlink('/tmp/{{name}}/real', '/data/{{name}}-dir')
            os.symlink('/tmp/{{name}}/real/file.txt', '/data/{{name}}-file')
            open('/data/{{name}}-dir/new.txt', 'w').write('made through the link')
            return [open('/data/{{name}}-file').read(), os.path.isdir('/data/{{name}}-dir'),
                    sorted(os.listdir('/data/{{name}}-dir')), os.stat('/data/{{name}}-file').st_size]
            """);

        Assert.Equal("in /tmp [file.txt, new.txt] 7", $"{result![0]} {Flatten(result[2])} {result[3]}");
        Assert.Equal(true, result[1]);
        Assert.Equal("made through the link", ManagedRuntimeFixture.ReadText(fixture.Tmp, $"/{name}/real/new.txt"));
    }

    [Fact]
    public async Task LinkLoops_AreTooManyLevelsOfSymbolicLinks()
    {
        var name = ManagedRuntimeFixture.Unique("loop");
        var errno = await fixture.RunAsync<long>($$"""
            import os
            os.symlink('/tmp/{{name}}-b', '/data/{{name}}-a')
            os.symlink('/data/{{name}}-a', '/tmp/{{name}}-b')
            try:
                os.stat('/data/{{name}}-a')
            except OSError as e:
                return e.errno
            """);

        Assert.Equal(Errno.ELOOP, errno);
    }

    [Fact]
    public async Task OsPath_AnswersFromTheProvider()
    {
        var name = ManagedRuntimeFixture.Unique("ospath");
        var result = await fixture.RunAsync<string>($$"""
            import os
            d = '/data/{{name}}'
            os.mkdir(d)
            open(d + '/f.txt', 'w').write('abc')
            checks = [os.path.exists(d), os.path.isdir(d), os.path.isfile(d + '/f.txt'), os.path.isfile(d),
                      os.path.exists(d + '/missing'), os.path.getsize(d + '/f.txt'),
                      os.path.samefile(d + '/f.txt', d + '/../{{name}}/f.txt'),
                      os.path.abspath('x'), os.path.expanduser('~/y'), os.path.lexists(d + '/f.txt')]
            return repr(checks)
            """);

        Assert.Equal("[True, True, True, False, False, 3, True, '/x', '/data/y', True]", result);
    }

    [Fact]
    public async Task StatErrors_ReportThePathPythonUsed()
    {
        var name = ManagedRuntimeFixture.Unique("err");
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            out = []
            for call in (lambda: os.stat('/data/{{name}}/child'), lambda: os.mkdir('/data'), lambda: os.stat(''), lambda: os.listdir('/data/{{name}}')):
                try:
                    call()
                except OSError as e:
                    out.append(str(e))
            return out
            """);

        Assert.Equal(
            [
                $"[Errno 20] Not a directory: '/data/{name}/child'",
                "[Errno 17] File exists: '/data'",
                "[Errno 2] No such file or directory: ''",
                $"[Errno 20] Not a directory: '/data/{name}'",
            ],
            result!);
    }

    [Fact]
    public async Task TheRoot_ListsMountsAndThePythonHome()
    {
        var entries = await fixture.RunAsync<string[]>("import os\nreturn sorted(os.listdir('/'))");

        Assert.Equal(["app", "data", "host", "mock", "tmp", "usr"], entries!);
    }

    [Fact]
    public async Task ChmodOfALinkItself_IsNotImplementedAsOnLinux()
    {
        var name = ManagedRuntimeFixture.Unique("lchmod");
        var result = await fixture.RunAsync<string>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            os.symlink('/data/{{name}}', '/data/{{name}}-link')
            try:
                os.chmod('/data/{{name}}-link', 0o600, follow_symlinks=False)
            except NotImplementedError as e:
                return f'{e}|{hasattr(os, "lchmod")}'
            """);

        Assert.Equal("chmod: follow_symlinks unavailable on this platform|False", result);
    }

    [Fact]
    public async Task TheNullDevice_ExistsForStatToo()
    {
        var result = await fixture.RunAsync<string>("""
            import os, stat
            return repr([os.path.exists(os.devnull), stat.S_ISCHR(os.stat(os.devnull).st_mode)])
            """);

        Assert.Equal("[True, True]", result);
    }

    internal static string Flatten(object? value) => value switch
    {
        List<object?> list => "[" + string.Join(", ", list.Select(Flatten)) + "]",
        bool b => b ? "True" : "False",
        double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null => "None",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
