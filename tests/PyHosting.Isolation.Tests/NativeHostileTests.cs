namespace PyHosting.Isolation.Tests;

/// <summary>
/// Native code (the Native backend, ctypes allowed) doing what an in-process sandbox cannot stop, in a confined worker:
/// the host's files, processes and the rest of the machine are out of its reach, and the host keeps serving calls.
/// </summary>
public sealed class NativeHostileTests : IAsyncLifetime
{
    private IsolatedHost _host = null!;

    public async Task InitializeAsync() => _host = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Required");

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task KillingEveryVisibleProcess_ReachesNothingOutsideTheWorker()
    {
        // Unconfined, kill(-1, SIGKILL) would end every process of the user, the host and this bystander included.
        using var bystander = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            await _host.Runtime.ExecuteAsync("__import__('ctypes').CDLL(None).kill(-1, 9)");
            Assert.False(bystander.WaitForExit(500));
            Assert.Equal(3, await _host.Runtime.EvaluateAsync<int>("3"));
        }
        finally
        {
            bystander.Kill();
        }
    }

    [Fact]
    public async Task WritingTmp_WritesTheWorkersOwnTmpfs()
    {
        var name = "pyhosting-marker-" + Guid.NewGuid().ToString("N");
        await _host.Runtime.ExecuteAsync($"import ctypes, os\nfd = os.open('/tmp/{name}', os.O_CREAT | os.O_WRONLY, 0o600)\nos.write(fd, b'x')\nos.close(fd)");
        Assert.True(await _host.Runtime.EvaluateAsync<bool>($"__import__('os').path.exists('/tmp/{name}')"));
        Assert.False(File.Exists(Path.Combine("/tmp", name)));
    }

    [Fact]
    public async Task ForkThroughCtypes_IsRefusedWithoutCreateProcess_AndStaysInTheWorkersNamespaceWithIt()
    {
        const string fork = """
            (lambda libc, os: (lambda pid: libc._exit(0) if pid == 0 else (os.waitpid(pid, 0) if pid > 0 else None, pid)[1])(libc.fork()))(__import__('ctypes').CDLL(None), __import__('os'))
            """;

        // CreateProcess is false: the worker's seccomp filter refuses the fork itself.
        Assert.Equal(-1, await _host.Runtime.EvaluateAsync<int>(fork));
        Assert.Equal(4, await _host.Runtime.EvaluateAsync<int>("4"));

        // With CreateProcess the child exists, in the worker's PID namespace only.
        var settings = IsolatedHost.Native;
        settings["PythonRuntime:Permissions:CreateProcess"] = "true";
        await using var allowed = await IsolatedHost.StartAsync(settings, confinement: "Required");
        var pid = await allowed.Runtime.EvaluateAsync<int>(fork);
        Assert.InRange(pid, 2, 100);
        Assert.False(ProcessTree.IsAlive(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Contains("Worker", StringComparison.Ordinal));
        Assert.Equal(4, await allowed.Runtime.EvaluateAsync<int>("4"));
    }

    [Fact]
    public async Task WritingOwnMemory_CrashesOnlyTheWorker()
    {
        var error = await Record.ExceptionAsync(() => _host.Runtime.ExecuteAsync("""
            import ctypes
            with open('/proc/self/maps') as maps:
                regions = [l.split()[0] for l in maps if ' r-xp ' in l and 'libpython' in l]
            start = int(regions[0].split('-')[0], 16)
            with open('/proc/self/mem', 'r+b', buffering=0) as mem:
                mem.seek(start)
                mem.write(b'\xcc' * 65536)
            ctypes.pythonapi.Py_GetVersion()
            """));
        Assert.IsType<PythonWorkerCrashedException>(error);
        Assert.Equal(5, await _host.Runtime.EvaluateAsync<int>("5"));
    }
}
