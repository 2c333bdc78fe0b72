using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary><c>dir_fd</c>, <c>src_dir_fd</c>/<c>dst_dir_fd</c>, descriptor variants and what os.py builds on them (<c>os.fwalk</c>, shutil's descriptor-based rmtree).</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class DirFdTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task EveryDirFdFunction_ResolvesItsRelativePathAgainstTheDirectory()
    {
        var name = ManagedRuntimeFixture.Unique("dirfd");
        var result = await fixture.RunAsync<string>($$"""
            import os, stat
            os.mkdir('/data/{{name}}')
            cwd = os.getcwd()
            os.chdir('/tmp')
            fd = os.open('/data/{{name}}', os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.mkdir('sub', 0o750, dir_fd=fd)
                f = os.open('sub/file', os.O_WRONLY | os.O_CREAT, 0o640, dir_fd=fd)
                os.write(f, b'hello')
                os.close(f)
                os.symlink('file', 'sub/link', dir_fd=fd)
                os.link('sub/file', 'hard', src_dir_fd=fd, dst_dir_fd=fd)
                os.rename('hard', 'sub/moved', src_dir_fd=fd, dst_dir_fd=fd)
                os.replace('sub/moved', 'replaced', src_dir_fd=fd, dst_dir_fd=fd)
                os.chmod('replaced', 0o600, dir_fd=fd)
                os.utime('replaced', ns=(1_000_000_000, 3_000_000_000), dir_fd=fd)
                os.chown('replaced', -1, -1, dir_fd=fd)
                seen = [os.stat('sub/file', dir_fd=fd).st_size, stat.S_ISLNK(os.lstat('sub/link', dir_fd=fd).st_mode),
                        os.stat('sub/link', dir_fd=fd, follow_symlinks=False).st_mode == os.lstat('/data/{{name}}/sub/link').st_mode,
                        os.readlink('sub/link', dir_fd=fd), os.access('sub/file', os.R_OK | os.W_OK, dir_fd=fd),
                        os.access('nothing', os.F_OK, dir_fd=fd), oct(os.stat('replaced', dir_fd=fd).st_mode & 0o777),
                        os.stat('replaced', dir_fd=fd).st_mtime_ns, sorted(os.listdir(fd)), os.getcwd()]
                os.unlink('sub/link', dir_fd=fd)
                os.remove('replaced', dir_fd=fd)
                os.unlink('sub/file', dir_fd=fd)
                os.rmdir('sub', dir_fd=fd)
                return repr(seen + [os.listdir(fd)])
            finally:
                os.close(fd)
                os.chdir(cwd)
            """);

        Assert.Equal("[5, True, True, 'file', True, False, '0o600', 3000000000, ['replaced', 'sub'], '/tmp', []]", result);
        Assert.Equal(PythonFileKind.Directory, fixture.Data.GetStatus($"/{name}")?.Kind);
        Assert.Empty(fixture.Data.ReadDirectory($"/{name}"));
    }

    [Theory]
    [InlineData("os.stat('x', dir_fd=closed)", "FileNotFoundError|EBADF")]
    [InlineData("os.stat('x', dir_fd=file)", "FileNotFoundError|ENOTDIR")]
    [InlineData("os.mkdir('x', dir_fd=file)", "FileNotFoundError|ENOTDIR")]
    [InlineData("os.open('x', os.O_RDONLY, dir_fd=4000)", "FileNotFoundError|EBADF")]
    [InlineData("os.stat(absolute, dir_fd=4000).st_size", "4")]
    [InlineData("os.stat(absolute, dir_fd=file).st_size", "4")]
    [InlineData("os.access('x', os.F_OK, dir_fd=4000)", "False")]
    [InlineData("os.stat(file, dir_fd=directory)", "ValueError")]
    [InlineData("os.stat('x', dir_fd=1.0)", "TypeError")]
    [InlineData("os.unlink('x', dir_fd=1)", "FileNotFoundError|ENOTDIR")]
    public async Task DirFdThatIsNotAnOpenDirectory_FailsAsPosixSays(string call, string expected)
    {
        var name = ManagedRuntimeFixture.Unique("baddirfd");
        var result = await fixture.RunAsync<string>($$"""
            import errno, os
            absolute = '/data/{{name}}'
            with open(absolute, 'w') as f:
                f.write('four')
            file = os.open(absolute, os.O_RDONLY)
            directory = os.open('/data', os.O_RDONLY)
            closed = os.open('/data', os.O_RDONLY)
            os.close(closed)
            try:
                return str({{call}})
            except OSError as e:
                return 'FileNotFoundError|' + errno.errorcode[e.errno]
            except (ValueError, TypeError) as e:
                return type(e).__name__
            finally:
                os.close(file)
                os.close(directory)
            """);

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task ADirectoryDescriptor_FollowsTheRuntimesRename_AndNamesNothingOnceReplacedFromOutside()
    {
        var name = ManagedRuntimeFixture.Unique("moved");
        Directory.CreateDirectory(Path.Combine(fixture.HostDirectory, name, "inner"));
        File.WriteAllText(Path.Combine(fixture.HostDirectory, name, "inner", "f"), "inside");
        var result = await fixture.RunAsync<string>($$"""
            import errno, os
            base = '/host/{{name}}'
            fd = os.open(base + '/inner', os.O_RDONLY)
            os.rename(base + '/inner', base + '/renamed')
            after_rename = os.listdir(fd)
            os.mkdir(base + '/inner')
            try:
                return repr([after_rename, open('f', opener=lambda n, fl: os.open(n, fl, dir_fd=fd)).read(),
                             os.path.samestat(os.stat(fd), os.stat(base + '/renamed'))])
            finally:
                os.close(fd)
            """);

        Assert.Equal("[['f'], 'inside', True]", result);

        // Replaced from outside the runtime (the host renames it away and puts another directory in its place).
        var second = await fixture.RunAsync<string>($$"""
            import os
            global _dirfd_held
            _dirfd_held = os.open('/host/{{name}}/renamed', os.O_RDONLY)
            return str(os.listdir(_dirfd_held))
            """);
        Assert.Equal("['f']", second);
        Directory.Move(Path.Combine(fixture.HostDirectory, name, "renamed"), Path.Combine(fixture.HostDirectory, name, "elsewhere"));
        Directory.CreateDirectory(Path.Combine(fixture.HostDirectory, name, "renamed"));
        File.WriteAllText(Path.Combine(fixture.HostDirectory, name, "renamed", "planted"), "not the same directory");
        var third = await fixture.RunAsync<string>("""
            import errno, os
            outcome = []
            for call in (lambda: os.listdir(_dirfd_held), lambda: os.stat('planted', dir_fd=_dirfd_held), lambda: os.unlink('planted', dir_fd=_dirfd_held),
                         lambda: os.fstat(_dirfd_held), lambda: os.fchdir(_dirfd_held)):
                try:
                    outcome.append(repr(call()))
                except OSError as e:
                    outcome.append(errno.errorcode[e.errno])
            os.close(_dirfd_held)
            return ' '.join(outcome)
            """);

        Assert.Equal("ENOENT ENOENT ENOENT ENOENT ENOENT", third);
        Assert.True(File.Exists(Path.Combine(fixture.HostDirectory, name, "renamed", "planted")));
    }

    [Fact]
    public async Task ADirectoryDescriptor_WhoseDirectoryIsSwappedForALinkFromOutside_NamesNothing()
    {
        var name = ManagedRuntimeFixture.Unique("swapped");
        var root = Path.Combine(fixture.HostDirectory, name);
        Directory.CreateDirectory(Path.Combine(root, "tree"));
        Directory.CreateDirectory(Path.Combine(root, "victim"));
        File.WriteAllText(Path.Combine(root, "victim", "keep"), "must survive");
        var opened = await fixture.RunAsync<long>($$"""
            import os
            global _dirfd_swapped
            _dirfd_swapped = os.open('/host/{{name}}/tree', os.O_RDONLY)
            return _dirfd_swapped
            """);
        Assert.True(opened > 2);

        // The race fwalk and rmtree guard against: the directory they hold becomes a link to another one.
        Directory.Delete(Path.Combine(root, "tree"));
        File.CreateSymbolicLink(Path.Combine(root, "tree"), "victim");
        var result = await fixture.RunAsync<string>("""
            import errno, os
            try:
                os.unlink('keep', dir_fd=_dirfd_swapped)
                return 'unlinked'
            except OSError as e:
                return errno.errorcode[e.errno]
            finally:
                os.close(_dirfd_swapped)
            """);

        Assert.Equal("ENOENT", result);
        Assert.Equal("must survive", File.ReadAllText(Path.Combine(root, "victim", "keep")));
    }

    [Theory]
    [InlineData("/", "etc/passwd")]
    [InlineData("/", "proc/self/environ")]
    [InlineData("/host", "../../../../etc/passwd")]
    [InlineData("/host", "..//..//etc/shadow")]
    [InlineData("/data", "../host/../../etc/hostname")]
    public async Task DirFdPlusDotDot_LeadsOnlyWhereTheRuntimesNameSpaceLeads(string directory, string relative)
    {
        var result = await fixture.RunAsync<string>($$"""
            import errno, os
            fd = os.open('{{directory}}', os.O_RDONLY)
            outcome = []
            try:
                for call in (lambda: os.open('{{relative}}', os.O_RDONLY, dir_fd=fd), lambda: os.stat('{{relative}}', dir_fd=fd),
                             lambda: os.readlink('{{relative}}', dir_fd=fd), lambda: os.access('{{relative}}', os.F_OK, dir_fd=fd)):
                    try:
                        outcome.append(repr(call()))
                    except OSError as e:
                        outcome.append(errno.errorcode[e.errno])
            finally:
                os.close(fd)
            return ' '.join(outcome)
            """);

        // None of these is mounted: the host's /etc, /proc and the host directory's parents are not in the runtime's name space.
        Assert.Equal("ENOENT ENOENT ENOENT False", result);
    }

    [Fact]
    public async Task Fwalk_WalksWithDescriptors_AndRmtreeTakesItsDescriptorBasedWay_LeavingALinkedTreeAlone()
    {
        var name = ManagedRuntimeFixture.Unique("fwalk");
        var result = await fixture.RunAsync<string>($$"""
            import os, shutil
            root = '/data/{{name}}'
            os.makedirs(root + '/a/b')
            os.makedirs('/tmp/{{name}}-kept')
            open('/tmp/{{name}}-kept/precious', 'w').close()
            open(root + '/a/f', 'w').write('12345')
            os.symlink('/tmp/{{name}}-kept', root + '/a/link')
            walked = []
            for top, dirs, files, fd in os.fwalk(root):
                walked.append((top[len(root):], sorted(dirs), sorted(files), sum(os.stat(n, dir_fd=fd).st_size for n in files if n == 'f')))
            shutil.rmtree(root)
            return repr([sorted(walked), shutil.rmtree.avoids_symlink_attacks, os.path.exists(root), os.listdir('/tmp/{{name}}-kept')])
            """);

        Assert.Equal("[[('', ['a'], [], 0), ('/a', ['b', 'link'], ['f'], 5), ('/a/b', [], [], 0)], True, False, ['precious']]", result);
    }

    [Fact]
    public async Task ScandirOfADescriptor_GivesNamesAsPaths_AndStatsThroughTheDescriptor()
    {
        var name = ManagedRuntimeFixture.Unique("scanfd");
        var result = await fixture.RunAsync<string>($$"""
            import os
            os.makedirs('/data/{{name}}/d')
            open('/data/{{name}}/f', 'w').write('abc')
            fd = os.open('/data/{{name}}', os.O_RDONLY)
            cwd = os.getcwd()
            os.chdir('/tmp')
            try:
                return repr(sorted((e.name, e.path, e.is_dir(), e.stat().st_size if e.is_file() else -1) for e in os.scandir(fd)))
            finally:
                os.close(fd)
                os.chdir(cwd)
            """);

        Assert.Equal("[('d', 'd', True, -1), ('f', 'f', False, 3)]", result);
    }
}
