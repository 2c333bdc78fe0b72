using Microsoft.Extensions.DependencyInjection;
using PyHosting.Providers;

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
}
