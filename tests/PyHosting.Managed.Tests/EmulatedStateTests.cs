using Microsoft.Extensions.Logging;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>DESIGN §5: the emulated working directory and umask, os.access limits, unsupported calls and their compatibility log lines.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class EmulatedStateTests(ManagedRuntimeFixture fixture)
{
    private const string Compatibility = "PyHosting.Compatibility";

    [Fact]
    public async Task Chdir_ChangesOnlyTheEmulatedWorkingDirectory()
    {
        var processDirectory = Environment.CurrentDirectory;
        var name = ManagedRuntimeFixture.Unique("cwd");
        var result = await fixture.RunAsync<string>($$"""
            import os
            os.makedirs('/data/{{name}}/sub')
            start = os.getcwd()
            os.chdir('/data/{{name}}')
            try:
                open('relative.txt', 'w').write('relative')
                os.chdir('sub')
                inner = os.getcwd()
                os.chdir('..')
                seen = [start, inner, os.getcwd(), os.path.abspath('x'), sorted(os.listdir()), os.getcwdb()]
                for bad in ('/data/{{name}}/relative.txt', '/data/{{name}}/missing'):
                    try:
                        os.chdir(bad)
                    except OSError as e:
                        seen.append(e.errno)
                return repr(seen)
            finally:
                os.chdir('/')
            """);

        Assert.Equal($"['/', '/data/{name}/sub', '/data/{name}', '/data/{name}/x', ['relative.txt', 'sub'], b'/data/{name}', 20, 2]", result);
        Assert.Equal("relative", ManagedRuntimeFixture.ReadText(fixture.Data, $"/{name}/relative.txt"));
        Assert.Equal(processDirectory, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task Umask_StartsAt022AndChangesOnlyTheEmulatedValue()
    {
        var processUmask = ProcessUmask();
        var name = ManagedRuntimeFixture.Unique("umask");
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<string>($$"""
            import os, stat
            d = '/data/{{name}}'
            default = os.umask(0o077)
            try:
                os.mkdir(d)
                open(d + '/private', 'w').close()
                open('/host/{{name}}-private', 'w').close()
                strict = os.umask(0o022)
            finally:
                os.umask(0o022)
            os.mkdir(d + '/shared')
            open(d + '/shared/file', 'w').close()
            mode = lambda p: oct(stat.S_IMODE(os.stat(p).st_mode))
            return repr([oct(default), oct(strict), mode(d), mode(d + '/private'), mode('/host/{{name}}-private'), mode(d + '/shared'), mode(d + '/shared/file')])
            """);

        Assert.Equal("['0o22', '0o77', '0o700', '0o600', '0o600', '0o755', '0o644']", result);
        Assert.Equal(processUmask, ProcessUmask());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(fixture.HostDirectory, name + "-private")));
        var lines = fixture.Logs.Since(mark, Compatibility);
        Assert.Contains(lines, l => l.Level == LogLevel.Trace && l.Message == "Returning emulated umask 0o022");
        Assert.Contains(lines, l => l.Level == LogLevel.Trace && l.Message == "Emulated umask set to 0o077; the process umask is unchanged");
    }

    [Fact]
    public async Task Access_AnswersFromPermissionsAndModes()
    {
        var name = ManagedRuntimeFixture.Unique("access");
        var result = await fixture.RunAsync<string>($$"""
            import os
            p = '/data/{{name}}'
            open(p, 'w').close()
            os.chmod(p, 0o755)
            home = os.__file__
            return repr([os.access(p, os.F_OK), os.access(p, os.R_OK | os.W_OK), os.access(p, os.X_OK),
                         os.access(p + '-missing', os.F_OK), os.access(home, os.R_OK), os.access(home, os.W_OK),
                         os.access(p, os.F_OK, follow_symlinks=False)])
            """);

        Assert.Equal("[True, True, True, False, True, False, True]", result);
    }

    [Fact]
    public async Task Access_TakesEffectiveIdsAndFollowSymlinks_TheRuntimesEffectiveIdsBeingItsRealOnes()
    {
        var name = ManagedRuntimeFixture.Unique("access-ids");
        var result = await fixture.RunAsync<string>($$"""
            import os
            p = '/data/{{name}}'
            open(p, 'w').close()
            os.chmod(p, 0o444)
            os.symlink(p, p + '-link')
            return repr([os.access(p, os.R_OK, effective_ids=True), os.access(p, os.W_OK, effective_ids=True),
                         os.access(p + '-link', os.W_OK), os.access(p + '-link', os.W_OK, follow_symlinks=False),
                         os.access(p + '-dangling', os.R_OK, follow_symlinks=False)])
            """);

        // A link's own mode is rwxrwxrwx; the file's owner (the runtime) may not write it.
        Assert.Equal("[True, False, False, True, False]", result);
    }

    [Theory]
    [InlineData("os.mknod('/data/node')", "os.mknod")]
    [InlineData("os.mkfifo('/data/fifo')", "os.mkfifo")]
    [InlineData("os.statvfs('/data')", "os.statvfs")]
    [InlineData("os.nice(1)", "os.nice")]
    [InlineData("os.abort()", "os.abort")]
    public async Task UnsupportedFunctions_RaiseUnsupportedOperationAndLogAtDebug(string call, string function)
    {
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<string>($$"""
            import io, os
            try:
                {{call}}
            except io.UnsupportedOperation as e:
                return f'{isinstance(e, OSError)}|{e}'
            """);

        var message = $"{function} is not supported by the managed backend";
        Assert.Equal("True|" + message, result);
        Assert.Contains(fixture.Logs.Since(mark, Compatibility), l => l.Level == LogLevel.Debug && l.Message == "Unsupported: " + message);
    }

    [Fact]
    public async Task FaultHandler_IsEmulated_WritingTheCallersStackToARuntimeDescriptor()
    {
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<string>("""
            import faulthandler, io, os
            r, w = os.pipe()
            faulthandler.enable(file=w, all_threads=False)
            enabled = faulthandler.is_enabled()
            def inner():
                faulthandler.dump_traceback(file=w, all_threads=False)
            inner()
            os.close(w)
            text = os.read(r, 65536).decode()
            try:
                faulthandler.dump_traceback_later(5, exit=True)
            except io.UnsupportedOperation:
                refused = True
            faulthandler.cancel_dump_traceback_later()
            return repr([enabled, faulthandler.disable(), faulthandler.is_enabled(), refused]) + '|' + text
            """);

        var parts = result!.Split('|');
        Assert.Equal("[True, True, False, True]", parts[0]);
        var lines = parts[1].Split('\n');
        Assert.Equal("Stack (most recent call first):", lines[0]);
        Assert.Matches("""^  File ".*", line \d+ in inner$""", lines[1]);
        Assert.Contains(fixture.Logs.Since(mark, Compatibility), l => l.Message.StartsWith("Emulated: faulthandler.dump_traceback (", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("os.fchown(fd, 0, 0)", "EPERM|EBADF")]
    [InlineData("os.fstatvfs(fd)", "UnsupportedOperation None|EBADF")]
    [InlineData("os.fpathconf(fd, 'PC_NAME_MAX')", "ok|EBADF")]
    [InlineData("os.tcgetpgrp(fd)", "ENOTTY|EBADF")]
    [InlineData("os.tcsetpgrp(fd, 1)", "ENOTTY|EBADF")]
    [InlineData("os.ttyname(fd)", "ENOTTY|EBADF")]
    public async Task DescriptorFunctions_OnADescriptorThatIsNotTheRuntimes_AreEbadf(string call, string expected)
    {
        var result = await fixture.RunAsync<string>($$"""
            import errno, os
            def outcome(fd):
                try:
                    {{call}}
                except OSError as e:
                    return errno.errorcode[e.errno] if e.errno else f'{type(e).__name__} {e.errno}'
                return 'ok'
            r, w = os.pipe()
            try:
                return outcome(r) + '|' + outcome(4000)
            finally:
                os.close(r); os.close(w)
            """);

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task Uname_ReportsTheKernelButNotTheHostName()
    {
        var result = await fixture.RunAsync<string>("""
            import os, platform
            u = os.uname()
            return repr([u.sysname, u.nodename, platform.node(), u.release, u.machine])
            """);

        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var machine = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "x86_64" : "aarch64";
        Assert.Equal($"['Linux', 'localhost', 'localhost', '{release}', '{machine}']", result);
    }

    [Fact]
    public async Task ExtendedAttributes_AreUnsupportedWithEnotsupSoShutilSkipsThem()
    {
        var name = ManagedRuntimeFixture.Unique("xattr");
        var result = await fixture.RunAsync<string>($$"""
            import errno, io, os, shutil
            open('/data/{{name}}', 'w').close()
            try:
                os.listxattr('/data/{{name}}')
            except io.UnsupportedOperation as e:
                caught = [e.errno == errno.ENOTSUP, e.strerror]
            shutil.copy2('/data/{{name}}', '/data/{{name}}-copy')
            return repr(caught + [os.path.exists('/data/{{name}}-copy')])
            """);

        Assert.Equal("[True, 'os.listxattr is not supported by the managed backend', True]", result);
    }

    [Fact]
    public async Task IgnoredArguments_AreLoggedAtDebug()
    {
        var mark = fixture.Logs.Mark;
        var name = ManagedRuntimeFixture.Unique("ignored");
        await fixture.RunAsync<object>($$"""
            import os
            fd = os.open('/data/{{name}}', os.O_WRONLY | os.O_CREAT | os.O_SYNC)
            os.set_inheritable(fd, True)
            os.set_blocking(fd, False)
            os.close(fd)
            """);

        var lines = fixture.Logs.Since(mark, Compatibility).Where(l => l.Level == LogLevel.Debug).Select(l => l.Message).ToList();
        Assert.Contains($"Ignored: open flags 0x101000 for '/data/{name}' (not supported)", lines);
        Assert.Contains(lines, l => l.StartsWith("Ignored: setting inheritable for fd ", StringComparison.Ordinal) && l.EndsWith(" (not supported)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Ignored: setting blocking mode for fd ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmulatedDefaults_AreLoggedAtTrace()
    {
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<string>("""
            import os
            try:
                os._exit(4)
            except SystemExit as e:
                code = e.code
            return repr([os.getppid(), code])
            """);

        Assert.Equal("[1, 4]", result);
        var lines = fixture.Logs.Since(mark, Compatibility).Where(l => l.Level == LogLevel.Trace).Select(l => l.Message).ToList();
        Assert.Contains("Returning emulated parent pid 1", lines);
        Assert.Contains("Emulated os._exit(4): the call ends with SystemExit, the process keeps running", lines);
    }

    /// <summary>The real process umask, read without changing it.</summary>
    private static string ProcessUmask() =>
        File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Umask:", StringComparison.Ordinal))["Umask:".Length..].Trim();
}
