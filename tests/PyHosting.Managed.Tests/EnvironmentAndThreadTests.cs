using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>The runtime's own environment (Environment=None plus EnvironmentVariables) and threads (CreateThread=true).</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class EnvironmentAndThreadTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Environ_ShowsOnlyTheConfiguredVariables()
    {
        var result = await fixture.RunAsync<string>($$"""
            import os
            return repr([os.environ.get('PYH_GREETING'), os.getenv('{{ManagedRuntimeFixture.HostOnlyVariable}}'), sorted(k for k in os.environ if k in ('PATH', 'HOME', 'PYH_GREETING'))])
            """);

        Assert.Equal($"['{ManagedRuntimeFixture.Greeting}', None, ['HOME', 'PATH', 'PYH_GREETING']]", result);
        Assert.Equal("host-secret", Environment.GetEnvironmentVariable(ManagedRuntimeFixture.HostOnlyVariable));
    }

    [Fact]
    public async Task SettingAndDeletingVariables_StaysInsideTheRuntime()
    {
        var name = "PYH_" + ManagedRuntimeFixture.Unique("VAR").Replace('-', '_').ToUpperInvariant();
        var result = await fixture.RunAsync<string>($$"""
            import os
            os.environ['{{name}}'] = 'python value'
            os.putenv('{{name}}_PUT', 'put value')
            seen = [os.environ['{{name}}'], os.getenv('{{name}}_PUT')]
            return repr(seen)
            """);

        Assert.Equal("['python value', None]", result); // putenv does not update os.environ, as in CPython
        Assert.Null(Environment.GetEnvironmentVariable(name));
        Assert.Null(Environment.GetEnvironmentVariable(name + "_PUT"));

        // Children receive the runtime's environment through the allow-list: ONLY is listed
        // (Processes:EnvironmentVariables), the variables named above are not.
        var children = await fixture.RunAsync<string>($$"""
            import os, subprocess
            os.environ['ONLY'] = 'python value'
            seen = subprocess.check_output(['sh', '-c', 'echo "$PYH_GREETING|$ONLY|${{{name}}:-dropped}|${{{name}}_PUT:-dropped}|${{{ManagedRuntimeFixture.HostOnlyVariable}}:-hidden}"'], text=True)
            del os.environ['ONLY']
            after = subprocess.check_output(['sh', '-c', 'echo "${ONLY:-gone}"'], text=True)
            return seen + after
            """);

        Assert.Equal($"{ManagedRuntimeFixture.Greeting}|python value|dropped|dropped|hidden\ngone\n", children);
        Assert.Null(Environment.GetEnvironmentVariable(name));
    }

    [Fact]
    public async Task Threads_RunAndJoin()
    {
        var result = await fixture.RunAsync<string>("""
            import threading
            out = []
            lock = threading.Lock()
            def work(i):
                with lock:
                    out.append(i * i)
            threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return repr(sorted(out))
            """);

        Assert.Equal("[0, 1, 4, 9, 16, 25, 36, 49]", result);
    }

    [Fact]
    public async Task ThreadPoolExecutor_DoesFileWorkInParallel()
    {
        var name = ManagedRuntimeFixture.Unique("pool");
        var result = await fixture.RunAsync<string>($$"""
            import os
            from concurrent.futures import ThreadPoolExecutor
            os.mkdir('/data/{{name}}')
            def work(i):
                path = f'/data/{{name}}/{i}.txt'
                with open(path, 'w') as f:
                    f.write('x' * i)
                return os.path.getsize(path)
            with ThreadPoolExecutor(max_workers=4) as pool:
                sizes = list(pool.map(work, range(16)))
            return repr([sizes == list(range(16)), len(os.listdir('/data/{{name}}'))])
            """);

        Assert.Equal("[True, 16]", result);
        Assert.Equal(16, fixture.Data.ReadDirectory("/" + name).Count);
    }

    [Fact]
    public async Task LockTimeouts_BeyondTimeoutMax_AreOverflowError_AsCPythons()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import threading, _thread
            out = [_thread.TIMEOUT_MAX]
            for lock in (threading.Lock(), threading.RLock()):
                for timeout in (1e100, threading.TIMEOUT_MAX + 1, -100):
                    try:
                        out.append(lock.acquire(timeout=timeout))
                        lock.release()
                    except (OverflowError, ValueError) as e:
                        out.append(type(e).__name__)
                out.append(lock.acquire(timeout=threading.TIMEOUT_MAX))
                lock.release()
            return out
            """);

        Assert.Equal(new List<object?> { 9223372036.0, "OverflowError", "OverflowError", "ValueError", true, "OverflowError", "OverflowError", "ValueError", true }, result);
    }
}
