using Microsoft.Extensions.Logging;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>The runtime's own identity (uid and gid 1000, whatever the host runs as), file ownership, <c>chown</c> and the emulated <c>pwd</c> and <c>grp</c>.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class OwnershipTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Identity_IsTheRuntimesOwnUser_WhoOwnsEveryFileItSees()
    {
        var name = ManagedRuntimeFixture.Unique("owned");
        File.WriteAllText(Path.Combine(fixture.HostDirectory, name), "host file");
        var result = await fixture.RunAsync<string>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            owners = {(os.stat(p).st_uid, os.stat(p).st_gid) for p in ('/data/{{name}}', '/host/{{name}}', os.__file__, '/data', '/')}
            return repr([os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups(), os.getresuid(), os.getresgid(),
                         os.getlogin(), sorted(owners), os.getgrouplist('python', 1000), os.getgrouplist('python', 0), os.getgrouplist('root', 0)])
            """);

        Assert.Equal("[1000, 1000, 1000, 1000, [1000], (1000, 1000, 1000), (1000, 1000, 1000), 'python', [(1000, 1000)], [1000], [0, 1000], [0]]", result);
    }

    [Fact]
    public async Task UserDatabase_KnowsRootAndTheRuntimesUser_WithHomeFromTheRuntimesEnvironment()
    {
        var result = await fixture.RunAsync<string>("""
            import getpass, grp, os, pathlib, pickle, pwd
            me = pwd.getpwuid(os.getuid())
            missing = []
            for call in (lambda: pwd.getpwnam('daemon'), lambda: pwd.getpwuid(1), lambda: grp.getgrnam('adm'), lambda: grp.getgrgid(4)):
                try:
                    call()
                except KeyError:
                    missing.append('KeyError')
            saved = os.environ.pop('HOME')
            try:
                expanded = [os.path.expanduser('~'), os.path.expanduser('~root/x'), str(pathlib.Path.home())]
            finally:
                os.environ['HOME'] = saved
            return repr([tuple(me), me.pw_dir, pwd.getpwnam('python') == me, [e.pw_name for e in pwd.getpwall()],
                         tuple(grp.getgrgid(os.getgid())), [g.gr_name for g in grp.getgrall()], grp.getgrnam('root').gr_gid,
                         getpass.getuser(), expanded, pickle.loads(pickle.dumps(me)) == me, missing])
            """);

        Assert.Equal(
            "[('python', 'x', 1000, 1000, 'python', '/data', '/bin/sh'), '/data', True, ['root', 'python'], "
            + "('python', 'x', 1000, []), ['root', 'python'], 0, 'python', ['/data', '/root/x', '/data'], True, "
            + "['KeyError', 'KeyError', 'KeyError', 'KeyError']]",
            result);
    }

    [Theory]
    [InlineData("os.chown(p, -1, -1)", "None")]
    [InlineData("os.chown(p, 1000, 1000)", "None")]
    [InlineData("os.chown(p, 1000, -1)", "None")]
    [InlineData("os.chown(p, 4294967295, 1000)", "None")]
    [InlineData("os.lchown(p + '-link', 1000, 1000)", "None")]
    [InlineData("os.fchown(fd, -1, 1000)", "None")]
    [InlineData("os.chown(fd, 1000, 1000)", "None")]
    [InlineData("shutil.chown(p, 'python', 'python')", "None")]
    [InlineData("os.chown(p, 0, -1)", "PermissionError 1")]
    [InlineData("os.chown(p, -1, 0)", "PermissionError 1")]
    [InlineData("os.fchown(fd, 0, 0)", "PermissionError 1")]
    [InlineData("os.lchown(p + '-link', 1001, 1000)", "PermissionError 1")]
    [InlineData("shutil.chown(p, 'root')", "PermissionError 1")]
    [InlineData("os.chown(p + '-missing', -1, -1)", "FileNotFoundError 2")]
    [InlineData("os.chown(p, 1.0, 0)", "TypeError None")]
    [InlineData("os.chown(p, -2, 0)", "OverflowError None")]
    public async Task Chown_ChangesNothingOrIsRefusedAsForAnUnprivilegedUser(string call, string expected)
    {
        var name = ManagedRuntimeFixture.Unique("chown");
        var result = await fixture.RunAsync<string>($$"""
            import os, shutil
            p = '/data/{{name}}'
            open(p, 'w').close()
            os.symlink(p, p + '-link')
            fd = os.open(p, os.O_RDONLY)
            try:
                return repr({{call}})
            except Exception as e:
                return f'{type(e).__name__} {getattr(e, "errno", None)}'
            finally:
                os.close(fd)
            """);

        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData("os.setuid(1000)", "None")]
    [InlineData("os.seteuid(1000)", "None")]
    [InlineData("os.setreuid(-1, 1000)", "None")]
    [InlineData("os.setresuid(1000, -1, 1000)", "None")]
    [InlineData("os.setgid(1000)", "None")]
    [InlineData("os.setregid(1000, -1)", "None")]
    [InlineData("os.setuid(0)", "PermissionError 1")]
    [InlineData("os.seteuid(0)", "PermissionError 1")]
    [InlineData("os.setreuid(0, 0)", "PermissionError 1")]
    [InlineData("os.setresgid(1000, 1000, 0)", "PermissionError 1")]
    [InlineData("os.setgroups([1000])", "PermissionError 1")]
    [InlineData("os.initgroups('python', 1000)", "PermissionError 1")]
    [InlineData("os.setuid('not an int')", "TypeError None")]
    [InlineData("os.setreuid(0, 'not an int')", "TypeError None")]
    [InlineData("os.setuid(1 << 32)", "OverflowError None")]
    [InlineData("os.setegid(-2)", "OverflowError None")]
    public async Task SetIds_AsForAnUnprivilegedUser_ChangeNothingOrAreEperm(string call, string expected)
    {
        var result = await fixture.RunAsync<string>($$"""
            import os
            try:
                outcome = repr({{call}})
            except Exception as e:
                outcome = f'{type(e).__name__} {getattr(e, "errno", None)}'
            return outcome + '|' + repr([os.getuid(), os.geteuid(), os.getgid(), os.getegid()])
            """);

        Assert.Equal(expected + "|[1000, 1000, 1000, 1000]", result);
    }

    [Fact]
    public async Task RefusedChown_IsLoggedAtDebug_NamingTheIds()
    {
        var name = ManagedRuntimeFixture.Unique("chownlog");
        var mark = fixture.Logs.Mark;
        await fixture.RunAsync<object>($$"""
            import os
            open('/data/{{name}}', 'w').close()
            try:
                os.chown('/data/{{name}}', 0, 5)
            except PermissionError:
                pass
            """);

        Assert.Contains(
            fixture.Logs.Since(mark, "PyHosting.Compatibility"),
            l => l.Level == LogLevel.Debug && l.Message.StartsWith($"Answered EPERM to os.chown of '/data/{name}' to uid 0, gid 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tarfile_ExtractsAsAnUnprivilegedUser_RestoringModesAndTimes()
    {
        var name = ManagedRuntimeFixture.Unique("tar");
        var result = await fixture.RunAsync<string>($$"""
            import io, os, tarfile
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode='w') as tar:
                d = tarfile.TarInfo('dir')
                d.type, d.mode, d.mtime, d.uid, d.gid, d.uname, d.gname = tarfile.DIRTYPE, 0o700, 1041808783, 0, 0, 'root', 'root'
                tar.addfile(d)
                f = tarfile.TarInfo('dir/file')
                f.size, f.mode, f.mtime, f.uid, f.gid = 4, 0o640, 1041808783, 1234, 5678
                tar.addfile(f, io.BytesIO(b'data'))
            buffer.seek(0)
            with tarfile.open(fileobj=buffer) as tar:
                tar.errorlevel = 2
                tar.extractall('/data/{{name}}')
            s1, s2 = os.stat('/data/{{name}}/dir'), os.stat('/data/{{name}}/dir/file')
            return repr([oct(s1.st_mode & 0o777), s1.st_mtime, oct(s2.st_mode & 0o777), s2.st_mtime, s2.st_uid])
            """);

        Assert.Equal("['0o700', 1041808783.0, '0o640', 1041808783.0, 1000]", result);
    }
}
