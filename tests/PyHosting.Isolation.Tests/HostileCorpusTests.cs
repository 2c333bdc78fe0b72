using System.Globalization;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// The hostile corpus of PyHosting.Sandbox.Tests against a Managed runtime with the default permissions that runs
/// in a (confined, where the machine allows) worker process, with the sandbox fixture's mounts: every script is
/// refused as in process (the same Python exception, naming the same key), the host's files are unchanged, and the
/// next call works, in the same worker unless the script had to be stopped by killing it.
/// </summary>
public sealed class HostileCorpusTests(HostileCorpusTests.WorkerFixture fixture) : IClassFixture<HostileCorpusTests.WorkerFixture>
{
    private const string SecretText = "top-secret-host-data";

    public static TheoryData<string> Scripts => new(
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Scripts"), "*.py", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "Scripts"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task HostileScript_IsRefusedInTheWorker_AndLeavesTheHostUntouched(string script)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Scripts", script));
        var header = text.Split('\n').TakeWhile(l => l.StartsWith('#')).Select(l => l.TrimStart('#', ' ').Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        var expected = header["expect"].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var source = text
            .Replace("__HOST_ROOT__", fixture.Root, StringComparison.Ordinal)
            .Replace("__HOST_SECRET__", Path.Combine(fixture.Mount, "secret.txt"), StringComparison.Ordinal)
            .Replace("__HOST_OUTSIDE__", fixture.Outside, StringComparison.Ordinal);
        var before = fixture.Snapshot();

        // Module state lives on in the worker from script to script: descriptors an earlier script opened on purpose
        // (of the Python home) and left open must not count as "not opened by the runtime" in a later one.
        // Modules an earlier script took out of sys.modules on purpose are put back, as a fresh runtime would have them.
        // A script that times out gets its worker replaced, so the first script of each worker takes the snapshot.
        await fixture.Host.Runtime.ExecuteAsync("""
            import builtins, os, sys
            os.closerange(3, 256)
            if not hasattr(builtins, '_corpus_modules'):
                import asyncio, subprocess, http.client, socket
                builtins._corpus_modules = dict(sys.modules)
            for _k, _v in builtins._corpus_modules.items():
                sys.modules.setdefault(_k, _v)
            """);

        var error = await Record.ExceptionAsync(() => fixture.Host.Runtime.ExecuteAsync(source));

        if (expected.Contains("timeout"))
        {
            Assert.IsType<TimeoutException>(error);
        }
        else
        {
            var python = Assert.IsType<PythonScriptException>(error);
            Assert.True(
                expected.Any(t => python.PythonType == t || (t == "io.UnsupportedOperation" && python.PythonType.EndsWith(".UnsupportedOperation", StringComparison.Ordinal))),
                $"expected {string.Join(" or ", expected)}, got {python.PythonType}: {python.PythonMessage}\n{python.PythonTraceback}");
            if (header.TryGetValue("key", out var key))
            {
                Assert.Contains(key, python.PythonMessage, StringComparison.Ordinal);
            }

            if (header.TryGetValue("absent", out var absent))
            {
                Assert.DoesNotContain(absent, python.PythonMessage + python.PythonTraceback, StringComparison.Ordinal);
            }

            if (header.TryGetValue("errno", out var errno))
            {
                Assert.StartsWith($"[Errno {int.Parse(errno, CultureInfo.InvariantCulture)}]", python.PythonMessage, StringComparison.Ordinal);
            }
        }

        Assert.Equal(before, fixture.Snapshot());
        Assert.Equal(SecretText + "\n", await File.ReadAllTextAsync(Path.Combine(fixture.Mount, "secret.txt")));
        Assert.Equal(2, await fixture.Host.Runtime.EvaluateAsync<int>("1 + 1"));
    }

    public sealed class WorkerFixture : IAsyncLifetime
    {
        public WorkerFixture()
        {
            Root = Directory.CreateTempSubdirectory("pyhosting-isolated-sandbox-").FullName;
            Mount = Directory.CreateDirectory(Path.Combine(Root, "mount")).FullName;
            Outside = Directory.CreateDirectory(Path.Combine(Root, "outside")).FullName;
            App = Directory.CreateDirectory(Path.Combine(Root, "app")).FullName;
        }

        public string Root { get; }

        public string Mount { get; }

        public string Outside { get; }

        public string App { get; }

        internal IsolatedHost Host { get; private set; } = null!;

        /// <summary>Every file under the root with its size and modification time.</summary>
        public string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p))
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.FullName} {(f.Attributes.HasFlag(FileAttributes.Directory) ? -1 : f.Length)} {f.LastWriteTimeUtc.Ticks}")));

        public async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(Path.Combine(Mount, "secret.txt"), SecretText + "\n");
            await File.WriteAllTextAsync(Path.Combine(Outside, "host-only.txt"), SecretText + "-outside\n");
            File.CreateSymbolicLink(Path.Combine(Mount, "escape"), "../outside");
            File.CreateSymbolicLink(Path.Combine(Mount, "etc"), "/etc");
            await File.WriteAllTextAsync(Path.Combine(App, "sandbox_helper.py"), "def read(path):\n    with open(path) as f:\n        return f.read()\n");
            Host = await IsolatedHost.StartAsync(
                new Dictionary<string, string?>
                {
                    ["PythonRuntime:ExecutionTimeout"] = "00:00:02",
                    ["PythonRuntime:ModulePaths:0"] = "/app",
                    ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data",
                    ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = Mount,
                    ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/app",
                    ["PythonRuntime:FileSystem:Mounts:1:HostPath"] = App,
                    ["PythonRuntime:FileSystem:Mounts:2:Path"] = "/tmp",
                    ["PythonRuntime:FileSystem:Mounts:2:InMemory"] = "true",
                },
                confinement: "Auto");
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }
    }
}
