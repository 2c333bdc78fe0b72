using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PyHosting.Providers;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// Providers registered in code (WithFileSystem, DecorateFileSystem, WithProcessProvider, WithTimeProvider) serve a
/// worker from the host's DI, over the channel, as they serve a runtime in the host.
/// </summary>
public sealed class BrokeredProviderTests
{
    private static Dictionary<string, string?> Managed(string io = "All") => new()
    {
        ["PythonRuntime:Backend"] = "Managed",
        ["PythonRuntime:Permissions:IO"] = io,
    };

    [Fact]
    public async Task InMemoryFileSystem_InTheHost_IsWhatPythonInTheWorkerReadsAndWrites()
    {
        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/data");
        using (var seed = fs.Open("/data/in.txt", PythonOpenFlags.Write | PythonOpenFlags.Create))
        {
            seed.Write("from the host"u8);
        }

        await using var host = await IsolatedHost.StartAsync(Managed(), runtime: r => r.WithFileSystem(fs));
        var runtime = host.Runtime;

        Assert.Equal("from the host", await runtime.EvaluateAsync<string>("open('/data/in.txt').read()"));
        await runtime.ExecuteAsync("""
            import os
            os.makedirs('/data/out/deep')
            with open('/data/out/deep/result.txt', 'w') as f:
                f.write('written in the worker ' * 1000)
            os.rename('/data/out/deep/result.txt', '/data/out/result.txt')
            with open('/data/out/result.txt', 'a') as f:
                f.write('!')
            """);

        // The file is in the host's provider, not in the worker.
        using (var reader = new StreamReader(fs.Open("/data/out/result.txt", PythonOpenFlags.Read)))
        {
            var text = await reader.ReadToEndAsync();
            Assert.Equal(string.Concat(Enumerable.Repeat("written in the worker ", 1000)) + "!", text);
        }

        Assert.Equal(["deep", "result.txt"], (await runtime.EvaluateAsync<List<object?>>("sorted(os.listdir('/data/out'))"))!);
        Assert.Equal(22001, await runtime.EvaluateAsync<long>("os.stat('/data/out/result.txt').st_size"));
        await runtime.ExecuteAsync("""
            try:
                open('/data/missing.txt')
                missing = None
            except OSError as e:
                missing = f'{type(e).__name__} {e.errno}'
            with open('/data/seek.bin', 'w+b') as f:
                f.write(b'0123456789')
                f.seek(3)
                seek_read = f.read(4)
                f.truncate(5)
                f.seek(0, 2)
                seek_end = f.tell()
            os.remove('/data/seek.bin')
            """);
        Assert.Equal("FileNotFoundError 2", await runtime.EvaluateAsync<string>("missing"));
        Assert.Equal("3456", await runtime.EvaluateAsync<string>("seek_read.decode()"));
        Assert.Equal(5, await runtime.EvaluateAsync<int>("seek_end"));
        Assert.Null(fs.GetStatus("/data/seek.bin"));
        Assert.Equal(0, host.ProcessRuntime.Worker!.Broker!.OpenHandles);
    }

    [Fact]
    public async Task DecoratedFileSystem_TheDecoratorIsAppliedToWhatTheWorkerDoes()
    {
        var directory = Directory.CreateTempSubdirectory("pyhosting-broker-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "config.txt"), "on disk");
            RecordingFileSystem? recording = null;
            var settings = Managed();
            settings["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data";
            settings["PythonRuntime:FileSystem:Mounts:0:HostPath"] = directory.FullName;

            // IO=All and a writable mount: only the decorator makes the file system read-only.
            await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r
                .DecorateFileSystem((_, inner) => recording = new RecordingFileSystem(inner))
                .DecorateFileSystem((_, inner) => new ReadOnlyPythonFileSystem(inner)));

            Assert.Equal("on disk", await host.Runtime.EvaluateAsync<string>("open('/data/config.txt').read()"));
            Assert.Equal("OSError 30", await OpenErrorAsync(host.Runtime, "/data/new.txt"));
            Assert.False(File.Exists(Path.Combine(directory.FullName, "new.txt")));
            Assert.Contains("open /data/config.txt", recording!.Operations);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ProcessProvider_InTheHost_StartsTheWorkersSubprocessesAndStreamsTheirPipes()
    {
        var processes = new RecordingProcessProvider(new ProcessPythonProcessProvider());
        var settings = Managed();
        settings["PythonRuntime:Permissions:CreateProcess"] = "true";
        await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r.WithProcessProvider(processes));

        await host.Runtime.ExecuteAsync("""
            import subprocess
            echoed = subprocess.run(['echo', 'hi'], capture_output=True).stdout
            upper = subprocess.run(['tr', 'a-z', 'A-Z'], input='shout ' * 50000, capture_output=True, text=True).stdout
            failed = subprocess.run(['sh', '-c', 'echo oops >&2; exit 3'], capture_output=True, text=True)
            """);
        Assert.Equal("hi\n", await host.Runtime.EvaluateAsync<string>("echoed.decode()"));
        Assert.Equal(string.Concat(Enumerable.Repeat("SHOUT ", 50000)), await host.Runtime.EvaluateAsync<string>("upper"));
        Assert.Equal("3 oops\n", await host.Runtime.EvaluateAsync<string>("f'{failed.returncode} {failed.stderr}'"));
        Assert.Equal(["echo", "tr", "sh"], processes.Started.Select(static s => s.Program));
        Assert.Equal(0, host.ProcessRuntime.Worker!.Broker!.OpenHandles);
    }

    [Fact]
    public async Task FakeTimeProvider_DrivesTheWorkersClockSleepAndAsyncioTimers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var settings = Managed();
        settings["PythonRuntime:ExecutionTimeout"] = "00:00:00";
        await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r.WithTimeProvider(clock));
        var runtime = host.Runtime;

        Assert.Equal(981173106.0, await runtime.EvaluateAsync<double>("__import__('time').time()"));
        Assert.Equal("2001-02-03", await runtime.EvaluateAsync<string>("str(__import__('datetime').date.today())"));

        // An hour of sleep and ten minutes of asyncio timers pass only when the host's fake clock is advanced.
        var sleeping = runtime.EvaluateAsync<double>("""
            (lambda time, asyncio: (lambda t0: (time.sleep(3600), asyncio.run(asyncio.sleep(600)), time.monotonic() - t0)[2])(time.monotonic()))(__import__('time'), __import__('asyncio'))
            """);
        for (var i = 0; i < 400 && !sleeping.IsCompleted; i++)
        {
            await Task.Delay(50);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var slept = await sleeping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(slept, 4200, 4200 + (400 * 60));
        Assert.Equal(0, host.ProcessRuntime.Worker!.Broker!.Timers);
    }

    [Fact]
    public async Task FakeTimeProvider_ItsLocalZoneIsTheWorkersLocalZone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero));
        clock.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        await using var host = await IsolatedHost.StartAsync(Managed(), runtime: r => r.WithTimeProvider(clock));

        Assert.Equal(
            "2001-02-03T13:05:06 JST -32400",
            await host.Runtime.EvaluateAsync<string>("(lambda t, d: f'{d.datetime.now().isoformat()} {t.localtime().tm_zone} {t.timezone}')(__import__('time'), __import__('datetime'))"));
    }

    [Fact]
    public async Task ThrowingProvider_TheWorkerGetsEio_AndTheHostServesOn()
    {
        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/fail");
        fs.CreateDirectory("/data");
        var recording = new RecordingFileSystem(fs);
        var logs = new ConcurrentQueue<string>();
        await using var host = await IsolatedHost.StartAsync(
            Managed(),
            services: s => s.AddLogging(b => b.AddProvider(new QueueLoggerProvider(logs, LogLevel.Warning))),
            runtime: r => r.WithFileSystem(recording));

        Assert.Equal("OSError 5", await OpenErrorAsync(host.Runtime, "/fail/x.txt"));
        Assert.Contains(logs, static l => l.Contains("A provider serving Python worker process", StringComparison.Ordinal) && l.Contains("(Open)", StringComparison.Ordinal) && l.Contains("errno 5", StringComparison.Ordinal));
        recording.Failure = () => new UnauthorizedAccessException("no");
        Assert.Equal("PermissionError 13", await OpenErrorAsync(host.Runtime, "/fail/x.txt"));
        recording.Failure = () => new PythonIOException(Errno.ENOSPC, "full");
        Assert.Equal("OSError 28", await OpenErrorAsync(host.Runtime, "/fail/x.txt"));
        var worker = host.WorkerId;
        Assert.Equal(2, await host.Runtime.EvaluateAsync<int>("1 + 1"));
        Assert.Equal(worker, host.WorkerId);
    }

    [Fact]
    public async Task HangingProvider_TheCallTimesOut_TheWorkerIsReplaced_AndTheHostServesOn()
    {
        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/hang");
        var recording = new RecordingFileSystem(fs);
        var settings = Managed();
        settings["PythonRuntime:ExecutionTimeout"] = "00:00:01";
        await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r.WithFileSystem(recording));
        var first = host.WorkerId;
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(() => host.Runtime.ExecuteAsync("open('/hang/x.txt', 'w')"));
        }
        finally
        {
            recording.Hang.Set();
        }

        Assert.Equal(2, await host.Runtime.EvaluateAsync<int>("1 + 1"));
        Assert.NotEqual(first, host.WorkerId);
    }

    [Fact]
    public async Task WorkerKilled_EveryStreamAndProcessItHeldInTheHostIsClosed()
    {
        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/data");
        var recording = new RecordingFileSystem(fs);
        var processes = new RecordingProcessProvider(new ProcessPythonProcessProvider());
        var settings = Managed();
        settings["PythonRuntime:Permissions:CreateProcess"] = "true";
        await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r.WithFileSystem(recording).WithProcessProvider(processes));

        await host.Runtime.ExecuteAsync("""
            import subprocess
            held = [open(f'/data/{i}.txt', 'w') for i in range(3)]
            sleeper = subprocess.Popen(['sleep', '300'])
            """);
        var worker = host.ProcessRuntime.Worker!;
        Assert.Equal(4, worker.Broker!.OpenHandles);
        Assert.All(recording.Streams, static s => Assert.False(s.Disposed));
        var sleeper = Assert.Single(processes.Processes);
        Assert.Null(sleeper.ExitCode);
        var sleeperPid = sleeper.Id;
        Assert.True(ProcessTree.IsAlive(sleeperPid));

        worker.Kill("test");
        await worker.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, recording.Streams.Count);
        Assert.All(recording.Streams, static s => Assert.True(s.Disposed));
        Assert.Equal(0, worker.Broker.OpenHandles);
        Assert.False(ProcessTree.OutlivesKill(sleeperPid));
    }

    [Fact]
    public async Task NamedRuntimes_EachWorkerIsServedItsOwnRuntimesProviders_WithItsOwnPermissions()
    {
        var first = new InMemoryPythonFileSystem();
        var second = new InMemoryPythonFileSystem();
        foreach (var (fs, text) in new[] { (first, "first"), (second, "second") })
        {
            fs.CreateDirectory("/data");
            using var stream = fs.Open("/data/who.txt", PythonOpenFlags.Write | PythonOpenFlags.Create);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        var settings = new Dictionary<string, string?>();
        foreach (var (name, io) in new[] { ("first", "All"), ("second", "ReadOnly") })
        {
            settings[$"PythonRuntime:Runtimes:{name}:Isolation:Mode"] = "Process";
            settings[$"PythonRuntime:Runtimes:{name}:Isolation:Confinement"] = "None";
            settings[$"PythonRuntime:Runtimes:{name}:Permissions:IO"] = io;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPythonRuntime("first").WithFileSystem(first);
        builder.Services.AddPythonRuntime("second").WithFileSystem(second);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var one = host.Services.GetRequiredKeyedService<IPythonRuntime>("first");
            var two = host.Services.GetRequiredKeyedService<IPythonRuntime>("second");
            Assert.Equal("first", await one.EvaluateAsync<string>("open('/data/who.txt').read()"));
            Assert.Equal("second", await two.EvaluateAsync<string>("open('/data/who.txt').read()"));
            Assert.Equal("opened", await OpenErrorAsync(one, "/data/new.txt"));
            Assert.Equal("PermissionError 13", await OpenErrorAsync(two, "/data/new.txt"));
            Assert.NotNull(first.GetStatus("/data/new.txt"));
            Assert.Null(second.GetStatus("/data/new.txt"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("unknown operation", "0a 01 00 c0 c0 c4 01 90 c0 00 00 c0 c0 cd 03 e7")]
    [InlineData("a request without arguments", "0a 01 00 c0 c0 c0 c0 00 00 c0 c0 01")]
    public async Task WorkerRunningNativeCode_ThatForgesAMalformedRequest_IsKilled(string name, string message)
    {
        var fs = new InMemoryPythonFileSystem();
        var settings = Managed();
        settings["PythonRuntime:Permissions:NativeAccess"] = "true";
        await using var host = await IsolatedHost.StartAsync(settings, runtime: r => r.WithFileSystem(fs));
        var first = host.WorkerId;

        var e = await Assert.ThrowsAsync<PythonWorkerCrashedException>(() => host.Runtime.ExecuteAsync(ForgeFrame(message)));
        Assert.Contains("protocol", e.Message, StringComparison.Ordinal);
        Assert.Contains("request", e.Message, StringComparison.Ordinal);
        Assert.False(ProcessTree.OutlivesKill(first), name);
        Assert.Equal(5, await host.Runtime.EvaluateAsync<int>("5"));
    }

    [Fact]
    public async Task WorkerRunningNativeCode_ThatForgesADeleteItsPermissionsRefuse_DeletesNothing()
    {
        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/d");
        using (fs.Open("/d/keep", PythonOpenFlags.Write | PythonOpenFlags.Create))
        {
        }

        var settings = Managed("ReadOnly");
        settings["PythonRuntime:Permissions:NativeAccess"] = "true";
        var logs = new ConcurrentQueue<string>();
        await using var host = await IsolatedHost.StartAsync(
            settings,
            services: s => s.AddLogging(b => b.AddProvider(new QueueLoggerProvider(logs, LogLevel.Warning))),
            runtime: r => r.WithFileSystem(fs));

        // DeleteFile("/d/keep") with request id 1; the host's refusal answers a request the worker's own link never made,
        // so the worker ends itself: either way nothing is deleted and the host serves on.
        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.Runtime.ExecuteAsync(ForgeFrame("0a 01 00 c0 c0 c4 09 91 a7 2f 64 2f 6b 65 65 70 c0 00 00 c0 c0 06")));
        Assert.NotNull(fs.GetStatus("/d/keep"));
        Assert.True(
            logs.Any(static l => l.Contains("asked for an operation its configuration refuses (DeleteFile)", StringComparison.Ordinal) && l.Contains("PythonRuntime:Permissions:IO is ReadOnly", StringComparison.Ordinal)),
            $"no refusal logged; the call ended with {e.GetType().Name}: {e.Message}; logs: {string.Join(" | ", logs)}");
        Assert.Equal(5, await host.Runtime.EvaluateAsync<int>("5"));
    }

    /// <summary>
    /// Python that writes one frame (a 12-field message whose fields after the array header are given in hex), with
    /// libc, on every pipe the worker shares with its parent (the host): the channel is one of them. Pipes that only
    /// the worker holds are left alone: one is the .NET runtime's own signal pipe, which would read the frame as
    /// signal numbers and end the worker before the frame reaches the host.
    /// </summary>
    private static string ForgeFrame(string fieldsHex)
    {
        var body = Convert.FromHexString("9c" + fieldsHex.Replace(" ", string.Empty, StringComparison.Ordinal));
        var frame = new byte[body.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return $$"""
            import ctypes, time
            libc = ctypes.CDLL(None)
            libc.readlink.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
            libc.readlink.restype = ctypes.c_ssize_t
            def link(path):
                buffer = ctypes.create_string_buffer(256)
                length = libc.readlink(path.encode(), buffer, 256)
                return buffer.raw[:length] if length > 0 else None
            parent = libc.getppid()
            shared = {link(f'/proc/{parent}/fd/{fd}') for fd in range(4096)} - {None}
            frame = bytes.fromhex('{{Convert.ToHexString(frame)}}')
            for fd in range(3, 256):
                target = link(f'/proc/self/fd/{fd}')
                if target is not None and target.startswith(b'pipe:') and target in shared:
                    libc.write(fd, frame, len(frame))
            time.sleep(20)
            """;
    }

    /// <summary>
    /// The same script of file operations, errors included, on an in-memory file system served inside the worker (a
    /// configured in-memory mount: the Managed backend and the provider in one process, as in process) and on one
    /// brokered from the host: every outcome is the same.
    /// </summary>
    [Fact]
    public async Task FileOperations_BrokeredAndServedInsideTheWorker_GiveTheSameOutcomes()
    {
        const string script = """
            import os, stat, shutil, pathlib
            out = []
            def attempt(name, f):
                try:
                    out.append((name, repr(f())))
                except OSError as e:
                    out.append((name, f'{type(e).__name__} {e.errno}'))
            root = '/data/w'
            attempt('makedirs', lambda: os.makedirs(root + '/a/b'))
            attempt('mkdir again', lambda: os.mkdir(root + '/a'))
            attempt('write', lambda: open(root + '/a/t.txt', 'w').write('héllo\n' * 3))
            attempt('read', lambda: open(root + '/a/t.txt').read())
            attempt('append', lambda: open(root + '/a/t.txt', 'a').write('end'))
            attempt('read binary', lambda: open(root + '/a/t.txt', 'rb').read())
            def seeks():
                with open(root + '/a/s.bin', 'w+b') as f:
                    f.write(b'0123456789')
                    f.seek(-3, 2)
                    tail = f.read()
                    f.seek(2)
                    f.write(b'xy')
                    f.truncate(6)
                    here = f.tell()
                    f.seek(0)
                    return tail, f.read(), here, os.fstat(f.fileno()).st_size
            attempt('seek, write, truncate', seeks)
            attempt('exclusive create of an existing file', lambda: open(root + '/a/t.txt', 'x'))
            attempt('open a directory', lambda: open(root + '/a'))
            attempt('read a missing file', lambda: open(root + '/nope.txt'))
            attempt('stat', lambda: (lambda st: (stat.S_ISREG(st.st_mode), st.st_size))(os.stat(root + '/a/t.txt')))
            attempt('stat a directory', lambda: stat.S_ISDIR(os.stat(root + '/a').st_mode))
            attempt('listdir', lambda: sorted(os.listdir(root + '/a')))
            attempt('scandir', lambda: sorted((e.name, e.is_dir(), e.is_file()) for e in os.scandir(root + '/a')))
            attempt('listdir a file', lambda: os.listdir(root + '/a/t.txt'))
            attempt('chmod', lambda: (os.chmod(root + '/a/t.txt', 0o600), stat.S_IMODE(os.stat(root + '/a/t.txt').st_mode))[1])
            attempt('utime', lambda: (os.utime(root + '/a/t.txt', (1000000000, 1234567890)), os.stat(root + '/a/t.txt').st_mtime)[1])
            attempt('symlink', lambda: (os.symlink('t.txt', root + '/a/link'), os.readlink(root + '/a/link'), open(root + '/a/link').read()[:5])[1:])
            attempt('lstat a link', lambda: stat.S_ISLNK(os.lstat(root + '/a/link').st_mode))
            attempt('readlink a file', lambda: os.readlink(root + '/a/t.txt'))
            attempt('rename over a file', lambda: (os.rename(root + '/a/s.bin', root + '/a/t.txt'), open(root + '/a/t.txt', 'rb').read())[1])
            attempt('rmdir a non-empty directory', lambda: os.rmdir(root + '/a'))
            attempt('remove a missing file', lambda: os.remove(root + '/a/none'))
            attempt('remove a directory', lambda: os.remove(root + '/a/b'))
            def fds():
                fd = os.open(root + '/fd.bin', os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
                try:
                    os.write(fd, b'abcdef')
                    os.lseek(fd, 1, os.SEEK_SET)
                    first = os.read(fd, 2)
                    os.ftruncate(fd, 4)
                    return first, os.lseek(fd, 0, os.SEEK_END), os.fstat(fd).st_size
                finally:
                    os.close(fd)
            attempt('descriptors', fds)
            attempt('copy', lambda: (shutil.copy(root + '/fd.bin', root + '/copy.bin'), open(root + '/copy.bin', 'rb').read())[1])
            attempt('walk', lambda: sorted((d, sorted(ds), sorted(fs)) for d, ds, fs in os.walk(root)))
            attempt('glob', lambda: sorted(str(p) for p in pathlib.Path(root).rglob('*.bin')))
            attempt('rmtree', lambda: (shutil.rmtree(root), os.path.exists(root))[1])
            result = '\n'.join(f'{n}: {r}' for n, r in out)
            """;

        var served = Managed();
        served["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data";
        served["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true";
        string inWorker;
        await using (var host = await IsolatedHost.StartAsync(served))
        {
            Assert.Null(host.ProcessRuntime.Worker!.Broker);
            await host.Runtime.ExecuteAsync(script);
            inWorker = (await host.Runtime.EvaluateAsync<string>("result"))!;
        }

        var fs = new InMemoryPythonFileSystem();
        fs.CreateDirectory("/data");
        string brokered;
        await using (var host = await IsolatedHost.StartAsync(Managed(), runtime: r => r.WithFileSystem(fs)))
        {
            await host.Runtime.ExecuteAsync(script);
            brokered = (await host.Runtime.EvaluateAsync<string>("result"))!;
        }

        Assert.Equal(inWorker, brokered);
        Assert.Contains("makedirs: None", brokered, StringComparison.Ordinal);
        Assert.Contains("rmdir a non-empty directory: OSError 39", brokered, StringComparison.Ordinal);
        Assert.Contains("seek, write, truncate: (b'789', b'01xy45', 4, 6)", brokered, StringComparison.Ordinal);
        Assert.Empty(fs.ReadDirectory("/data"));
    }

    [Fact]
    public async Task ConfinedWorker_WithABrokeredFileSystem_HasNoMountBoundIn_SoNativeCodeCannotGoPastTheDecorator()
    {
        var directory = Directory.CreateTempSubdirectory("pyhosting-broker-confined-");
        var file = Path.Combine(directory.FullName, "data.txt");
        await File.WriteAllTextAsync(file, "served by the host");
        try
        {
            var settings = Managed();
            settings["PythonRuntime:Permissions:NativeAccess"] = "true";
            settings["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data";
            settings["PythonRuntime:FileSystem:Mounts:0:HostPath"] = directory.FullName;
            var probe = $"__import__('ctypes').CDLL(None).open({System.Text.Json.JsonSerializer.Serialize(file)}.encode(), 2)";

            // The fast path: the writable mount is bound into the confinement, where native code can open it for writing.
            await using (var fastPath = await IsolatedHost.StartAsync(settings, confinement: "Required"))
            {
                Assert.True(await fastPath.Runtime.EvaluateAsync<int>(probe) >= 0);
            }

            // Brokered behind a read-only decorator: Python reads through the host, and the directory is not in the confinement.
            await using var brokered = await IsolatedHost.StartAsync(settings, confinement: "Required", runtime: r => r.DecorateFileSystem((_, inner) => new ReadOnlyPythonFileSystem(inner)));
            Assert.Equal("served by the host", await brokered.Runtime.EvaluateAsync<string>("open('/data/data.txt').read()"));
            Assert.Equal(-1, await brokered.Runtime.EvaluateAsync<int>(probe));
            Assert.Equal("OSError 30", await OpenErrorAsync(brokered.Runtime, "/data/data.txt"));
            Assert.Equal("served by the host", await File.ReadAllTextAsync(file));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing in Python: "opened", or the OSError's type and errno.</summary>
    private static async Task<string?> OpenErrorAsync(IPythonRuntime runtime, string path)
    {
        await runtime.ExecuteAsync($$"""
            try:
                open('{{path}}', 'w').close()
                outcome = 'opened'
            except OSError as e:
                outcome = f'{type(e).__name__} {e.errno}'
            """);
        return await runtime.EvaluateAsync<string>("outcome");
    }
}
