using PyHosting.Testing;

namespace PyHosting.Hosting.Tests.Integration;

/// <summary>A Managed host configured only from configuration: mounts relative to the content root, allowed executables.</summary>
public sealed class ConfiguredProvidersFixture : IAsyncLifetime
{
    private PythonProcess? _python;

    public string ContentRoot { get; } = Directory.CreateTempSubdirectory("pyhosting-configured-").FullName;

    public PythonProcess Python => _python ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(ContentRoot, "scripts"));
        Directory.CreateDirectory(Path.Combine(ContentRoot, "data"));
        await File.WriteAllTextAsync(Path.Combine(ContentRoot, "scripts", "greeting.py"), "def greet(name):\n    return 'hello ' + name\n");
        _python = await PythonProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["PythonRuntime:Backend"] = "Managed",
                ["PythonRuntime:Permissions:IO"] = "All",
                ["PythonRuntime:Permissions:CreateProcess"] = "true",
                ["PythonRuntime:Processes:AllowedExecutables:0"] = "echo",
                ["PythonRuntime:ModulePaths:0"] = "/app",
                ["PythonRuntime:FileSystem:WorkingDirectory"] = "/data",
                ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/app",
                ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = "scripts",
                ["PythonRuntime:FileSystem:Mounts:0:ReadOnly"] = "true",
                ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/data",
                ["PythonRuntime:FileSystem:Mounts:1:HostPath"] = "data",
                ["PythonRuntime:FileSystem:Mounts:2:Path"] = "/tmp",
                ["PythonRuntime:FileSystem:Mounts:2:InMemory"] = "true",
                ["PythonRuntime:FileSystem:Mounts:2:MaxBytes"] = "1024",
            },
            workingDirectory: ContentRoot);
    }

    public async Task DisposeAsync()
    {
        if (_python is not null)
        {
            await _python.DisposeAsync();
        }

        Directory.Delete(ContentRoot, recursive: true);
    }
}

/// <summary>A Managed host configured only from configuration gets exactly the configured capabilities.</summary>
public sealed class ConfiguredProvidersTests(ConfiguredProvidersFixture fixture) : IClassFixture<ConfiguredProvidersFixture>
{
    private PythonProcess Python => fixture.Python;

    private string ContentRoot => fixture.ContentRoot;

    [Fact]
    public async Task ModulePathOnAReadOnlyMount_IsImportableButNotWritable()
    {
        Assert.Equal("hello mounts", (await Python.InvokeAsync("greeting", "greet", "mounts")).GetResult<string>());

        var write = await Python.ExecAsync("open('/app/new.py', 'w').write('x')");

        Assert.Equal("OSError", write.PythonType);
        Assert.False(File.Exists(Path.Combine(ContentRoot, "scripts", "new.py")));
    }

    [Fact]
    public async Task WritableMount_WritesReachTheHostDirectory_RelativeToTheWorkingDirectory()
    {
        (await Python.ExecAsync("with open('result.txt', 'w') as f:\n    f.write('written from python')")).EnsureOk();

        Assert.Equal("written from python", await File.ReadAllTextAsync(Path.Combine(ContentRoot, "data", "result.txt")));
    }

    [Fact]
    public async Task InMemoryMount_EnforcesItsSizeLimit()
    {
        (await Python.ExecAsync("with open('/tmp/small', 'wb') as f:\n    f.write(b'x' * 100)")).EnsureOk();

        var full = await Python.ExecAsync("with open('/tmp/big', 'wb') as f:\n    f.write(b'x' * 4096)");

        Assert.Equal("OSError", full.PythonType);
        Assert.Contains("No space left", full.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedExecutables_OnlyThoseStart()
    {
        var echo = await Python.EvalAsync("__import__('subprocess').run(['echo', 'allowed'], capture_output=True).stdout.decode()");
        var cat = await Python.ExecAsync("__import__('subprocess').run(['cat', '/dev/null'])");

        Assert.Equal("allowed\n", echo.GetResult<string>());
        Assert.Equal("PermissionError", cat.PythonType);
    }
}
