using System.Net;
using System.Net.Sockets;

namespace PyHosting.Isolation.Tests;

/// <summary>Under bubblewrap, a worker sees only what is mounted into it, even with the Native backend and ctypes.</summary>
public sealed class ConfinementTests
{
    [Fact]
    public async Task HostFileOutsideTheMounts_IsInvisibleToAConfinedWorker()
    {
        var secret = Path.Combine(Path.GetTempPath(), "pyhosting-secret-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(secret, "host only");
        try
        {
            var probe = $"__import__('os').path.exists({Quote(secret)})";
            await using (var unconfined = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "None"))
            {
                Assert.True(await unconfined.Runtime.EvaluateAsync<bool>(probe));
            }

            await using var confined = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Required");
            Assert.False(await confined.Runtime.EvaluateAsync<bool>(probe));
            Assert.False(await confined.Runtime.EvaluateAsync<bool>("__import__('os').path.exists('/home') or __import__('os').path.exists('/etc/passwd')"));
            var libc = await confined.Runtime.EvaluateAsync<int>($"__import__('ctypes').CDLL(None).open({Quote(secret)}.encode(), 0)");
            Assert.Equal(-1, libc);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task MountedDirectory_IsVisibleReadOnlyUnlessWritable()
    {
        var dir = Directory.CreateTempSubdirectory("pyhosting-mount-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "data.txt"), "mounted");
        try
        {
            var settings = IsolatedHost.Native;
            settings["PythonRuntime:ModulePaths:0"] = dir;
            await using var confined = await IsolatedHost.StartAsync(settings, confinement: "Required");
            Assert.Equal("mounted", await confined.Runtime.EvaluateAsync<string>($"open({Quote(Path.Combine(dir, "data.txt"))}).read()"));
            var e = await Assert.ThrowsAsync<PythonScriptException>(() => confined.Runtime.ExecuteAsync($"open({Quote(Path.Combine(dir, "new.txt"))}, 'w')"));
            Assert.Equal("OSError", e.PythonType);
            Assert.False(File.Exists(Path.Combine(dir, "new.txt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("Managed")]
    [InlineData("Native")]
    public async Task VirtualEnvironment_IsMountedReadOnlyIntoAConfinedWorker(string backend)
    {
        var venv = Path.Combine(Directory.CreateTempSubdirectory("pyhosting-venv-").FullName, "env");
        try
        {
            using (var create = System.Diagnostics.Process.Start("python3.11", ["-m", "venv", "--without-pip", venv]))
            {
                await create.WaitForExitAsync();
                Assert.Equal(0, create.ExitCode);
            }

            var sitePackages = Path.Combine(venv, "lib", "python3.11", "site-packages");
            await File.WriteAllTextAsync(Path.Combine(sitePackages, "venv_greeting.py"), "def hello(name):\n    return 'hello ' + name + ' from the venv'\n");
            var settings = backend == "Native" ? IsolatedHost.Native : new Dictionary<string, string?> { ["PythonRuntime:Permissions:IO"] = "All" };
            settings["PythonRuntime:VirtualEnvironment"] = venv;

            await using var confined = await IsolatedHost.StartAsync(settings, confinement: "Required");

            Assert.True(confined.ProcessRuntime.Worker!.Confined);
            Assert.Equal("hello worker from the venv", await confined.Runtime.EvaluateAsync<string>("__import__('venv_greeting').hello('worker')"));
            Assert.Equal(Path.Combine(sitePackages, "venv_greeting.py"), await confined.Runtime.EvaluateAsync<string>("__import__('venv_greeting').__file__"));

            // Read-only inside the confinement, whatever the backend allows: nothing can be planted in the environment.
            var write = await Assert.ThrowsAsync<PythonScriptException>(() => confined.Runtime.ExecuteAsync($"open({Quote(Path.Combine(sitePackages, "planted.py"))}, 'w').write('x = 1')"));
            Assert.Equal("OSError", write.PythonType);
            Assert.Contains("Read-only file system", write.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(sitePackages, "planted.py")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(venv)!, recursive: true);
        }
    }

    [Fact]
    public async Task WithoutCreateProcess_TheSeccompFilterRefusesNewProcesses_EvenToNativeCode_AndThreadsStillRun()
    {
        // The Native backend with ctypes: no permission check of the runtime stands between Python and fork().
        await using var confined = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Required");
        Assert.True(confined.ProcessRuntime.Worker!.Confined);

        Assert.Equal(1, await ForkErrnoAsync(confined.Runtime)); // EPERM
        var run = await Assert.ThrowsAsync<PythonScriptException>(() => confined.Runtime.ExecuteAsync("__import__('subprocess').run(['/bin/true'])"));
        Assert.Equal("PermissionError", run.PythonType);
        Assert.Equal(42, await confined.Runtime.EvaluateAsync<int>("(lambda t, box: (t.start(), t.join(), box[0])[2])(*(lambda box: (__import__('threading').Thread(target=lambda: box.append(42)), box))([]))"));

        // The worker itself is alive and answering after the refusals.
        Assert.Equal(2, await confined.Runtime.EvaluateAsync<int>("1 + 1"));
    }

    [Fact]
    public async Task WithCreateProcess_NoSeccompFilter_ProcessesStart()
    {
        var settings = IsolatedHost.Native;
        settings["PythonRuntime:Permissions:CreateProcess"] = "true";
        await using var confined = await IsolatedHost.StartAsync(settings, confinement: "Required");

        Assert.Equal(0, await confined.Runtime.EvaluateAsync<int>("__import__('subprocess').run(['/bin/true']).returncode"));
    }

    private static async Task<int> ForkErrnoAsync(IPythonRuntime runtime)
    {
        // fork() through the C library, as a native extension would call it (os.fork is refused in every embedded
        // runtime); a child, if one were created, leaves at once.
        await runtime.ExecuteAsync("""
            import ctypes
            def fork_errno():
                libc = ctypes.CDLL(None, use_errno=True)
                pid = libc.fork()
                if pid == 0:
                    libc._exit(0)
                if pid < 0:
                    return ctypes.get_errno()
                libc.waitpid(pid, None, 0)
                return 0
            """);
        return await runtime.EvaluateAsync<int>("fork_errno()");
    }

    [Fact]
    public async Task Network_IsUnreachableWithoutHostSockets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connect = $"__import__('socket').create_connection(('127.0.0.1', {port}), timeout=5).close()";

        await using (var confined = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Required"))
        {
            var e = await Assert.ThrowsAsync<PythonScriptException>(() => confined.Runtime.ExecuteAsync(connect));
            Assert.Equal("ConnectionRefusedError", e.PythonType);
        }

        var withSockets = IsolatedHost.Native;
        withSockets["PythonRuntime:Permissions:HostSockets"] = "true";
        await using var networked = await IsolatedHost.StartAsync(withSockets, confinement: "Required");
        await networked.Runtime.ExecuteAsync(connect);
    }

    [Fact]
    public async Task ConfinedWorker_HasItsOwnPidNamespace()
    {
        await using var confined = await IsolatedHost.StartAsync(IsolatedHost.Native, confinement: "Required");
        Assert.True(await confined.Runtime.EvaluateAsync<int>("__import__('os').getpid()") < 10);
        var e = await Assert.ThrowsAsync<PythonScriptException>(() => confined.Runtime.ExecuteAsync($"__import__('os').kill({Environment.ProcessId}, 0)"));
        Assert.Equal("ProcessLookupError", e.PythonType);
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}

/// <summary>Resource limits of a worker.</summary>
public sealed class WorkerLimitTests
{
    [Fact]
    public async Task Worker_RunsUnderAnAddressSpaceLimitFromMemoryLimit_AndAnOpenFileLimit()
    {
        var settings = IsolatedHost.Native;
        settings["PythonRuntime:MemoryLimit"] = (256L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var host = await IsolatedHost.StartAsync(settings);
        var limits = await host.Runtime.EvaluateAsync<string>("open('/proc/self/limits').read()");
        var expected = (256L << 20) + Hosting.Isolation.WorkerLauncher.AddressSpaceOverhead;
        Assert.Matches($@"Max address space\s+{expected}\s+{expected}\s+bytes", limits);
        Assert.Matches(@"Max open files\s+1024\s+1024", limits);

        // Native code's malloc, which MemoryLimit does not count, now fails instead of taking the host's memory.
        await host.Runtime.ExecuteAsync("import ctypes\nlibc = ctypes.CDLL(None)\nlibc.malloc.restype = ctypes.c_void_p\nlibc.malloc.argtypes = [ctypes.c_size_t]");
        Assert.Equal(0L, await host.Runtime.EvaluateAsync<long>("libc.malloc(8 << 30) or 0"));
        Assert.Equal(1, await host.Runtime.EvaluateAsync<int>("1"));
    }

    [Fact]
    public async Task MemoryLimit_IsEnforcedInsideTheWorker_AsInProcess()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:MemoryLimit"] = (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var worker = host.WorkerId;
        var e = await Assert.ThrowsAsync<PythonScriptException>(() => host.Runtime.ExecuteAsync("b = bytearray(256 << 20)"));
        Assert.Equal("MemoryError", e.PythonType);
        Assert.Equal(6, await host.Runtime.EvaluateAsync<int>("6"));
        Assert.Equal(worker, host.WorkerId);
    }
}
