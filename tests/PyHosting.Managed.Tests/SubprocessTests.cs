using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary><c>subprocess</c>, <c>os.system</c> and <c>os.popen</c> through the process provider (real processes).</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class SubprocessTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Run_CapturesOutputAndReturnCode()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            ok = subprocess.run(['echo', 'hi'], capture_output=True)
            failed = subprocess.run(['sh', '-c', 'echo oops >&2; exit 3'], capture_output=True, text=True)
            return repr([ok.returncode, ok.stdout, failed.returncode, failed.stderr])
            """);

        Assert.Equal("[0, b'hi\\n', 3, 'oops\\n']", result);
    }

    [Fact]
    public async Task Arguments_ArePathLikeOrStrings_AndANulIsAValueError()
    {
        var result = await fixture.RunAsync<string>("""
            import os, pathlib, subprocess
            class P:
                def __fspath__(self):
                    return '/bin/echo'
            out = subprocess.run([P(), pathlib.PurePosixPath('a/b'), b'c'], capture_output=True).stdout
            errors = []
            for args, env in ((['/bin/echo', 'x\0y'], None), ([P(), 'ok'], {'A': 'b\0c'}), (['/bin/echo', 42], None)):
                try:
                    subprocess.run(args, env=env)
                except (ValueError, TypeError) as e:
                    errors.append(type(e).__name__)
            return out.decode() + '|' + ','.join(errors)
            """);

        Assert.Equal("a/b c\n|ValueError,ValueError,TypeError", result);
    }

    [Fact]
    public async Task Input_IsFedToTheChild()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            return subprocess.run(['tr', 'a-z', 'A-Z'], input='shout', capture_output=True, text=True).stdout
            """);

        Assert.Equal("SHOUT", result);
    }

    [Fact]
    public async Task CheckOutput_WithStderrToStdout_MergesBothStreams()
    {
        var result = await fixture.RunAsync<byte[]>("""
            import subprocess
            return subprocess.check_output(['sh', '-c', 'echo out; echo err >&2'], stderr=subprocess.STDOUT)
            """);

        // Two pipes merged by the runtime: each stream keeps its order, the interleaving is the pumps'.
        Assert.Equal(["err", "out"], System.Text.Encoding.UTF8.GetString(result!).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CheckCall_RaisesCalledProcessErrorWithTheReturnCode()
    {
        var result = await fixture.RunAsync<long>("""
            import subprocess
            try:
                subprocess.check_call(['false'])
            except subprocess.CalledProcessError as e:
                return e.returncode
            """);

        Assert.Equal(1, result);
    }

    [Fact]
    public async Task Popen_CommunicatesPollsAndIsKilled()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            cat = subprocess.Popen(['cat'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            out, _ = cat.communicate(b'piped')
            lines = subprocess.Popen(['sh', '-c', 'echo 1; echo 2'], stdout=subprocess.PIPE, text=True)
            read = [l.strip() for l in lines.stdout]
            lines.wait()
            sleeper = subprocess.Popen(['sleep', '30'])
            running = sleeper.poll()
            sleeper.terminate()
            return repr([out, cat.returncode, read, running, sleeper.wait(), 1000 <= cat.pid < 100000])
            """);

        Assert.Equal("[b'piped', 0, ['1', '2'], None, -15, True]", result);
    }

    [Fact]
    public async Task Env_ReplacesTheChildEnvironment_WithinTheAllowList()
    {
        // ONLY and the prefix PREFIXED_* are listed in Processes:EnvironmentVariables; UNLISTED is not; LD_PRELOAD never passes.
        var result = await fixture.RunAsync<string>("""
            import subprocess
            return subprocess.check_output(['sh', '-c', 'echo "$ONLY:${PYH_GREETING:-absent}:${UNLISTED:-dropped}:${LD_PRELOAD:-dropped}:$PREFIXED_A:${PREFIXED:-dropped}"'], env={'ONLY': 'this', 'UNLISTED': 'x', 'LD_PRELOAD': '/data/x.so', 'PREFIXED_A': 'a', 'PREFIXED': 'p'}, text=True)
            """);

        Assert.Equal("this:absent:dropped:dropped:a:dropped\n", result);
    }

    [Fact]
    public async Task InheritedEnvironment_PassesOnlyAllowedNames()
    {
        var result = await fixture.RunAsync<string>("""
            import os, subprocess
            os.environ['BASH_FUNC_echo%%'] = '() { builtin echo pwned; }'
            os.environ['PYTHONPATH'] = '/data'
            try:
                return subprocess.check_output(['sh', '-c', 'echo "$PYH_GREETING:${PYTHONPATH:-dropped}"; env | grep -c BASH_FUNC || true'], text=True)
            finally:
                del os.environ['BASH_FUNC_echo%%'], os.environ['PYTHONPATH']
            """);

        Assert.Equal(ManagedRuntimeFixture.Greeting + ":dropped\n0\n", result);
    }

    [Fact]
    public async Task Cwd_OnThePhysicalMount_IsTheHostDirectory()
    {
        var name = ManagedRuntimeFixture.Unique("cwd");
        Directory.CreateDirectory(Path.Combine(fixture.HostDirectory, name));
        var result = await fixture.RunAsync<string>($$"""
            import subprocess
            out = subprocess.check_output(['sh', '-c', 'pwd; echo made > by-child.txt'], cwd='/host/{{name}}', text=True)
            return out.strip() + '|' + open('/host/{{name}}/by-child.txt').read()
            """);

        Assert.Equal(Path.Combine(fixture.HostDirectory, name) + "|made\n", result);
    }

    [Fact]
    public async Task Cwd_InMemory_IsRefusedWithoutStarting()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            try:
                subprocess.run(['true'], cwd='/tmp')
            except FileNotFoundError as e:
                return str(e)
            """);

        Assert.Contains("'/tmp' has no host directory", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_FollowsTheRuntimeClockAndKillsTheChild()
    {
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = fixture.RunAsync<string>("""
            import subprocess
            try:
                subprocess.run(['sleep', '30'], timeout=5)
            except subprocess.TimeoutExpired as e:
                return f'timed out after {e.timeout}'
            """, done.Token);

        // Python waits on the fake clock: time passes only when the test advances it.
        while (!call.IsCompleted)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10, done.Token);
        }

        Assert.Equal("timed out after 5.0", await call);
    }

    [Fact]
    public async Task System_AndPopen_RunTheShellThroughTheProvider()
    {
        var (output, _) = await fixture.OutputOfAsync("""
            import os
            status = os.system('echo from system; exit 2')
            print(status, os.waitstatus_to_exitcode(status))
            print(os.popen('echo from popen').read().strip())
            print(os.popen('exit 3').close())
            """);

        Assert.Equal("from system\n512 2\nfrom popen\n768\n", output);
    }

    [Fact]
    public async Task UncapturedChildOutput_ReachesTheRuntimeOutputInOrder()
    {
        var (output, error) = await fixture.OutputOfAsync("""
            import subprocess
            print('before')
            subprocess.run(['sh', '-c', 'echo child; echo child-err >&2'])
            print('after')
            """);

        Assert.Equal("before\nchild\nafter\n", output);
        Assert.Equal("child-err\n", error);
    }

    [Fact]
    public async Task Redirection_ToAndFromProviderFiles()
    {
        var name = ManagedRuntimeFixture.Unique("redir");
        var result = await fixture.RunAsync<string>($$"""
            import subprocess
            with open('/data/{{name}}.in', 'w') as f:
                f.write('from a provider file')
            with open('/data/{{name}}.in') as src, open('/data/{{name}}.out', 'w') as dst:
                subprocess.run(['cat'], stdin=src, stdout=dst)
            subprocess.run(['echo', 'discarded'], stdout=subprocess.DEVNULL)
            return open('/data/{{name}}.out').read()
            """);

        Assert.Equal("from a provider file", result);
    }

    [Fact]
    public async Task MissingExecutable_IsFileNotFoundError()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            try:
                subprocess.run(['no-such-program-here'])
            except FileNotFoundError as e:
                return e.filename
            """);

        Assert.Equal("no-such-program-here", result);
    }

    [Fact]
    public async Task PreexecFn_IsRefused()
    {
        var result = await fixture.RunAsync<string>("""
            import subprocess
            try:
                subprocess.run(['true'], preexec_fn=print)
            except ValueError as e:
                return str(e)
            """);

        Assert.Contains("preexec_fn is not supported", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRuntimesStandardStreams_CanBeHandedToChildren()
    {
        var (output, error) = await fixture.OutputOfAsync("""
            import subprocess, sys
            subprocess.run(['sh', '-c', 'echo merged >&2'], stderr=subprocess.STDOUT)
            subprocess.run(['sh', '-c', 'echo out; echo err >&2'], stdout=sys.stdout, stderr=sys.stderr)
            """);

        Assert.Equal("merged\nout\n", output);
        Assert.Equal("err\n", error);
    }

    [Fact]
    public async Task ChildrenInheritDescriptor1_AfterDup2()
    {
        var name = ManagedRuntimeFixture.Unique("dup2");
        var result = await fixture.RunAsync<string>($$"""
            import os, subprocess
            fd = os.open('/data/{{name}}', os.O_WRONLY | os.O_CREAT)
            saved = os.dup(1)
            os.dup2(fd, 1)
            try:
                os.system('echo from the shell')
                subprocess.run(['echo', 'from subprocess'])
                os.write(1, b'from os.write\n')
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(fd)
            return open('/data/{{name}}').read()
            """);

        Assert.Equal("from the shell\nfrom subprocess\nfrom os.write\n", result);
    }

    [Fact]
    public async Task ChildSettings_AreIgnoredWithALogLineOrRefused()
    {
        var mark = fixture.Logs.Mark;
        var result = await fixture.RunAsync<string>("""
            import io, subprocess
            code = subprocess.run(['true'], pass_fds=(1,), start_new_session=True, process_group=0, umask=0o077).returncode
            try:
                subprocess.run(['true'], user=0)
            except io.UnsupportedOperation as e:
                return f'{code}|{e}'
            """);

        Assert.Equal("0|subprocess with user, group or extra_groups is not supported by the managed backend", result);
        var lines = fixture.Logs.Since(mark, "PyHosting.Compatibility").Select(l => l.Message).ToList();
        foreach (var argument in new[] { "pass_fds", "start_new_session", "process_group", "umask" })
        {
            Assert.Contains($"Ignored: subprocess argument {argument} (not supported)", lines);
        }
    }

    [Fact]
    public async Task SpawnFunctions_StartChildrenThroughTheProvider_AsOsPyDoesWithFork()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os
            out = [hasattr(os, name) for name in ('spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe')]
            out.append((os.P_WAIT, os.P_NOWAIT, os.P_NOWAITO))
            out.append(os.spawnl(os.P_WAIT, '/bin/sh', 'sh', '-c', 'exit 17'))
            out.append(os.spawnlp(os.P_WAIT, 'sh', 'sh', '-c', 'exit 3'))
            out.append(os.spawnve(os.P_WAIT, '/bin/sh', ['sh', '-c', 'test "$ONLY" = yes'], {'ONLY': 'yes'}))
            out.append(os.spawnvpe(os.P_WAIT, 'sh', ['sh', '-c', 'test "$ONLY" = yes'], {'ONLY': 'no'}))
            out.append(os.spawnv(os.P_WAIT, '/bin/sh', ['sh', '-c', 'kill -TERM $$']))
            pid = os.spawnv(os.P_NOWAIT, '/bin/sh', ('sh', '-c', 'exit 5'))
            waited, status = os.waitpid(pid, 0)
            out.append([waited == pid, os.waitstatus_to_exitcode(status)])
            def error(f):
                try:
                    f()
                    return 'no error'
                except Exception as e:
                    return type(e).__name__ + ': ' + str(e)
            out.append(error(lambda: os.spawnv(os.P_WAIT, '/bin/sh', ())))
            out.append(error(lambda: os.spawnv(os.P_WAIT, '/bin/sh', ('',))))
            out.append(error(lambda: os.spawnv(os.P_WAIT, '/bin/sh', 'sh')))
            out.append(error(lambda: os.spawnve(os.P_WAIT, '/bin/sh', ['sh'], [('A', 'B')])))
            out.append(error(lambda: os.spawnve(os.P_WAIT, '/bin/sh', ['sh'], {'A=B': 'C'})))
            return out
            """);

        Assert.Equal(
            new List<object?>
            {
                true, true, true, true, true, true, true, true, new List<object?> { 0L, 1L, 1L }, 17L, 3L, 0L, 1L, -15L, new List<object?> { true, 5L },
                "ValueError: argv first element cannot be empty", "ValueError: argv first element cannot be empty", "TypeError: argv must be a tuple or a list",
                "TypeError: env must be a mapping object", "ValueError: illegal environment variable name",
            },
            result);
    }
}
