using PyHosting.Testing.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PyHosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>
/// The one Managed runtime of this test process, with the default permissions (IO=None, no threads,
/// processes, native access, sockets or environment). Python sees a physical mount <c>/data</c> (a
/// secret file, symbolic links leading out of it), an in-memory <c>/tmp</c> and a module path <c>/app</c>.
/// The host keeps a log file open across all scripts, to prove its descriptors survive them.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string SecretText = "TOP-SECRET-3f1c9b";
    private readonly ConcurrentQueue<string> _logs = new();
    private PythonRuntime? _runtime;
    private FileStream? _hostLog;

    public SandboxFixture()
    {
        Root = Directory.CreateTempSubdirectory("pyhosting-sandbox-").FullName;
        Mount = Directory.CreateDirectory(Path.Combine(Root, "mount")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(Root, "outside")).FullName;
        App = Directory.CreateDirectory(Path.Combine(Root, "app")).FullName;
    }

    /// <summary>Gets the host directory that holds everything the tests create.</summary>
    public string Root { get; }

    /// <summary>Gets the host directory mounted at <c>/data</c>.</summary>
    public string Mount { get; }

    /// <summary>Gets a host directory no mount reaches.</summary>
    public string Outside { get; }

    /// <summary>Gets the host directory mounted at <c>/app</c> (a module path).</summary>
    public string App { get; }

    public IPythonRuntime Runtime => _runtime ?? throw new InvalidOperationException("The runtime has not started.");

    /// <summary>Gets the log lines written so far (category, level, message).</summary>
    public IReadOnlyCollection<string> Logs => _logs;

    /// <summary>Gets the host paths whose content a script must never change (the real /tmp is watched for marker files).</summary>
    public IEnumerable<string> WatchedDirectories => [Root];

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(Mount, "secret.txt"), SecretText + "\n");
        File.WriteAllText(Path.Combine(Outside, "host-only.txt"), SecretText + "-outside\n");
        File.CreateSymbolicLink(Path.Combine(Mount, "escape"), "../outside");
        File.CreateSymbolicLink(Path.Combine(Mount, "etc"), "/etc");
        File.WriteAllText(Path.Combine(App, "sandbox_helper.py"), "def read(path):\n    with open(path) as f:\n        return f.read()\n");
        _hostLog = new FileStream(Path.Combine(Root, "host.log"), FileMode.Create, FileAccess.ReadWrite, FileShare.Read);

        var options = new PythonRuntimeOptions { ExecutionTimeout = TimeSpan.FromSeconds(2) };
        options.ModulePaths.Add("/app");
        var fileSystem = new MountTablePythonFileSystem(
            new PythonMount("/data", new PhysicalPythonFileSystem(Mount)),
            new PythonMount("/app", new PhysicalPythonFileSystem(App)),
            new PythonMount("/tmp", new InMemoryPythonFileSystem()));
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new QueueLoggerProvider(_logs)));
        _runtime = PythonRuntimeFactory.Create(options, fileSystem, new DenyAllPythonProcessProvider(), TimeProvider.System, loggerFactory);
        _runtime.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _runtime?.Stop();
        _hostLog?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes through a descriptor the host opened before any script ran, and reads it back.</summary>
    public void AssertHostDescriptorUsable()
    {
        var stream = _hostLog ?? throw new InvalidOperationException("The fixture has not started.");
        var line = System.Text.Encoding.UTF8.GetBytes($"still writable at {DateTime.UtcNow:O}\n");
        var end = stream.Seek(0, SeekOrigin.End);
        stream.Write(line);
        stream.Flush(flushToDisk: true);
        stream.Seek(end, SeekOrigin.Begin);
        var back = new byte[line.Length];
        stream.ReadExactly(back);
        Assert.Equal(line, back);
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Managed runtime with default permissions";
}
