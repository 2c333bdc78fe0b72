namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>CreateProcess=true: child processes are allowed, cloning or replacing the host is not (HOSTILE.md family 11).</summary>
public sealed class CreateProcessFixture : TestHostFixture
{
    public const string HostOnlyVariable = "PYHOSTING_SANDBOX_HOST_ONLY";

    protected override IReadOnlyDictionary<string, string>? Environment => new Dictionary<string, string> { [HostOnlyVariable] = "host-secret" };

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:CreateProcess"] = "true",
        ["PythonRuntime:Permissions:EnvironmentVariables:RUNTIME_VARIABLE"] = "visible",
    };
}

public sealed class ProcessPermissionTests(CreateProcessFixture fixture) : IClassFixture<CreateProcessFixture>
{
    public static TheoryData<string, string> CloningOrReplacingTheHost => new()
    {
        { "os.fork", "import os\nos.fork()" },
        { "os.forkpty", "import os\nos.forkpty()" },
        { "os.execv", "import os\nos.execv('/bin/true', ['true'])" },
        { "os.execve", "import os\nos.execve('/bin/true', ['true'], {})" },
        { "os.execl", "import os\nos.execl('/bin/true', 'true')" },
        { "os.execvp", "import os\nos.execvp('true', ['true'])" },
        { "fresh posix fork", "import _imp, importlib.machinery\np = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))\n_imp.exec_builtin(p)\np.fork()" },
        { "fresh posix execv", "import _imp, importlib.machinery\np = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))\n_imp.exec_builtin(p)\np.execv('/bin/true', ['true'])" },
        { "os.posix_spawn", "import os\nos.posix_spawn('/bin/true', ['true'], {})" },
        { "multiprocessing fork", "import multiprocessing\nmultiprocessing.get_context('fork').Process(target=print).start()" },
        { "subprocess preexec_fn", "import subprocess\nsubprocess.run(['/bin/true'], preexec_fn=lambda: None)" },
    };

    [Theory]
    [MemberData(nameof(CloningOrReplacingTheHost))]
    public async Task CloningOrReplacingTheHost_IsRefused_AndTheHostKeepsServing(string what, string code)
    {
        var response = await fixture.Python.ExecAsync(code);

        Assert.False(response.Ok, $"{what} succeeded");
        Assert.Equal("PythonScriptException", response.Type);
        await fixture.AssertAliveAsync();
        Assert.Empty(fixture.Children());
    }

    [Fact]
    public async Task ChildProcess_SeesOnlyTheRuntimeEnvironment()
    {
        var response = await fixture.Python.EvalAsync("__import__('subprocess').run(['/usr/bin/env'], capture_output=True, text=True).stdout");
        var environment = response.GetResult<string>()!;

        Assert.Contains("RUNTIME_VARIABLE=visible", environment, StringComparison.Ordinal);
        Assert.DoesNotContain(CreateProcessFixture.HostOnlyVariable, environment, StringComparison.Ordinal);
        Assert.DoesNotContain("PATH=", environment.Split('\n').Select(l => l.Split('=')[0] + "=").Where(l => l == "PATH="), StringComparer.Ordinal);
    }

    [Fact]
    public async Task SignalsToTheHost_AreRefused_ButAChildCanBeSignalled()
    {
        var host = await fixture.Python.ExecAsync("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)");
        Assert.False(host.Ok);

        var child = await fixture.Python.EvalAsync("""
            (lambda subprocess, signal: (lambda p: (p.send_signal(signal.SIGTERM), p.wait())[1])(subprocess.Popen(['/bin/sleep', '30'])))(
                __import__('subprocess'), __import__('signal'))
            """);
        Assert.Equal(-15, child.GetResult<int>());
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task ChildSignallingTheHost_WhilePythonHandlesTheSignal_DoesNotEndTheHost()
    {
        // CPython's test_subprocess (test_communicate_eintr) does this: a child sends SIGUSR1 to its parent.
        var response = await fixture.Python.ExecAsync("""
            import signal, subprocess, time
            previous = signal.signal(signal.SIGUSR1, lambda *a: None)
            signal.signal(signal.SIGUSR2, signal.SIG_IGN)
            for name in ('USR1', 'USR2', 'USR1'):
                subprocess.run(['/bin/sh', '-c', f'kill -{name} $PPID'], check=True)
            time.sleep(0.5)
            """);

        Assert.True(response.Ok, response.ToString());
        await fixture.AssertAliveAsync();
        Assert.Equal(0x800UL | 0x200UL, CaughtSignals(fixture.Python.ProcessId) & 0xA00UL);

        // SIG_DFL again: the registrations are removed, SIGTERM and SIGINT handlers are never registered.
        var reset = await fixture.Python.ExecAsync("""
            import signal
            signal.signal(signal.SIGUSR1, signal.SIG_DFL)
            signal.signal(signal.SIGUSR2, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, lambda *a: None)
            """);
        Assert.True(reset.Ok, reset.ToString());
        await fixture.AssertAliveAsync();
    }

    /// <summary>The signals a process catches (the <c>SigCgt</c> mask of /proc/pid/status, bit n-1 for signal n).</summary>
    private static ulong CaughtSignals(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
        return ulong.Parse(line["SigCgt:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ChildIdentifiers_AreAnsweredAsTheRuntimes_NeverPassedToTheHost()
    {
        // A child's pid is virtual: handed to the C library it would name an unrelated host process.
        var answers = await fixture.Python.EvalAsync("""
            (lambda os, subprocess: (lambda p: (repr([
                os.getpgid(p.pid) == os.getsid(p.pid) == os.getpid(),
                os.sched_getaffinity(p.pid) == os.sched_getaffinity(0),
                os.sched_getscheduler(p.pid) == os.sched_getscheduler(0),
                os.getpriority(os.PRIO_PROCESS, p.pid) == os.getpriority(os.PRIO_PROCESS, 0)]), p.kill(), p.wait())[0])(
                subprocess.Popen(['/bin/sleep', '30'])))(__import__('os'), __import__('subprocess'))
            """);

        Assert.Equal("[True, True, True, True]", answers.GetResult<string>());
        await fixture.AssertAliveAsync();
    }
}
