using System.Diagnostics;
using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// <c>PythonRuntime:VirtualEnvironment</c> end to end, in TestHost processes of both backends: a virtual environment made
/// with <c>python3.11 -m venv --without-pip</c> (no network), filled by hand with a pure package, a <c>.pth</c> file (a
/// directory and an import line) and, where a test says so, the compiled <c>tinyext</c> extension or a copy of Debian's numpy.
/// </summary>
public sealed class VirtualEnvironmentTests : IDisposable
{
    private const string Key = "PythonRuntime:VirtualEnvironment";
    private const string ReadPackages = "[__import__('greeting').hello('venv'), __import__('extra_module').VALUE, __import__('greeting').set_by_pth]";
    private readonly string _root = Directory.CreateTempSubdirectory("pyhosting-venv-").FullName;

    [Fact]
    public async Task Managed_PurePackage_IsImportableWithDefaultPermissions_WithItsPthFile()
    {
        var venv = await CreateVenvAsync();

        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:Backend"] = "Managed", [Key] = venv });

        Assert.Equal("""["hello venv",7,42]""", (await python.EvalAsync(ReadPackages)).EnsureOk().Result!.ToJsonString());
        var path = (await python.EvalAsync("[p for p in __import__('sys').path if 'pyhosting-venv-' in p]")).GetResult<string[]>()!;
        Assert.Equal([SitePackages(venv), Path.Combine(venv, "src")], path);
    }

    [Fact]
    public async Task Native_PurePackage_IsImportable_AheadOfTheSystemPackages()
    {
        var venv = await CreateVenvAsync();

        await using var python = await PythonProcess.StartAsync(PythonProcess.Native([new(Key, venv)]));

        Assert.Equal("""["hello venv",7,42]""", (await python.EvalAsync(ReadPackages)).EnsureOk().Result!.ToJsonString());
        var order = (await python.EvalAsync(
            "(lambda p: [p.index(x) for x in (__import__('greeting').__path__[0].rsplit('/', 1)[0], '/usr/lib/python3/dist-packages') if x in p])(__import__('sys').path)")).GetResult<int[]>()!;
        Assert.True(order.Length == 1 || order[0] < order[1], $"site-packages at {order[0]}, dist-packages at {order[1]}");
    }

    [Theory]
    [InlineData("Managed")]
    [InlineData("Native")]
    public async Task UnregisteredNativeExtension_FailsTheStart_NamingTheModuleAndTheKey(string backend)
    {
        var venv = await CreateVenvAsync();
        var extensions = await CompiledExtensions.GetAsync();
        File.Copy(Path.Combine(extensions.Directory, "tinyext" + extensions.Suffix), Path.Combine(SitePackages(venv), "tinyext" + extensions.Suffix));

        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(Configuration(backend, venv));

        Assert.Equal(2, exitCode);
        Assert.Contains(
            $"PythonRuntime:VirtualEnvironment '{venv}' contains the native extension 'tinyext' (lib/python3.11/site-packages/tinyext{extensions.Suffix}), which is not registered; add 'tinyext' to PythonRuntime:NativeExtensions",
            stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Starting CPython", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Managed")]
    [InlineData("Native")]
    public async Task RegisteredNativeExtension_Runs_AndTheEnvironmentIsReadOnly(string backend)
    {
        var venv = await CreateVenvAsync();
        var extensions = await CompiledExtensions.GetAsync();
        File.Copy(Path.Combine(extensions.Directory, "tinyext" + extensions.Suffix), Path.Combine(SitePackages(venv), "tinyext" + extensions.Suffix));
        var configuration = Configuration(backend, venv);
        configuration["PythonRuntime:NativeExtensions:0"] = "tinyext";

        await using var python = await PythonProcess.StartAsync(configuration);

        Assert.Equal("""[42,"hello from C, venv"]""", (await python.EvalAsync("[__import__('tinyext').add(20, 22), __import__('tinyext').greet('venv')]")).EnsureOk().Result!.ToJsonString());
        var write = await python.ExecAsync($"open('{SitePackages(venv)}/planted.py', 'w').write('x = 1')");
        if (backend == "Managed")
        {
            Assert.Equal("OSError", write.PythonType);
            Assert.Contains("Read-only file system", write.PythonMessage, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(SitePackages(venv), "planted.py")));
        }
        else
        {
            // The Native backend is not sandboxed: "read-only" is what the runtime promises for Managed only.
            write.EnsureOk();
        }
    }

    [Fact]
    public async Task Managed_NumpyCopiedIntoTheEnvironment_LoadsFromTheEnvironment()
    {
        var venv = await CreateVenvAsync();
        await CopyDirectoryAsync("/usr/lib/python3/dist-packages/numpy", Path.Combine(SitePackages(venv), "numpy"));
        var configuration = Configuration("Managed", venv);
        configuration["PythonRuntime:NativeExtensions:0"] = "numpy";

        await using var python = await PythonProcess.StartAsync(configuration);

        var result = (await python.EvalAsync("[str(__import__('numpy').arange(10).sum()), __import__('numpy').__file__]")).GetResult<string[]>()!;
        Assert.Equal(["45", Path.Combine(SitePackages(venv), "numpy", "__init__.py")], result);
    }

    [Fact]
    public async Task Managed_PthImportLineThatFails_IsLoggedAndTheOthersRun()
    {
        var venv = await CreateVenvAsync();
        await File.WriteAllTextAsync(Path.Combine(SitePackages(venv), "zz-broken.pth"), "import no_such_module\n");

        await using var python = await PythonProcess.StartAsync(new Dictionary<string, string?> { ["PythonRuntime:Backend"] = "Managed", [Key] = venv });

        Assert.Equal(42, (await python.EvalAsync("__import__('greeting').set_by_pth")).GetResult<long>());
        var logs = await python.GetLogsAsync("PyHosting.Runtime");
        Assert.Contains(logs, l => l.Message.Contains("zz-broken.pth line 1 (import no_such_module): ModuleNotFoundError", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string SitePackages(string venv) => Path.Combine(venv, "lib", "python3.11", "site-packages");

    private static Dictionary<string, string?> Configuration(string backend, string venv)
    {
        var configuration = backend == "Native"
            ? PythonProcess.Native()
            : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["PythonRuntime:Backend"] = "Managed" };
        foreach (var (key, value) in Runtimes.ExtensionPermissions)
        {
            configuration[key] = value;
        }

        configuration[Key] = venv;
        return configuration;
    }

    private async Task<string> CreateVenvAsync()
    {
        var venv = Path.Combine(_root, "venv");
        await RunAsync("/usr/bin/python3.11", "-m", "venv", "--without-pip", venv);
        var sitePackages = SitePackages(venv);
        Directory.CreateDirectory(Path.Combine(sitePackages, "greeting"));
        await File.WriteAllTextAsync(Path.Combine(sitePackages, "greeting", "__init__.py"), "def hello(name):\n    return 'hello ' + name\n");
        Directory.CreateDirectory(Path.Combine(venv, "src"));
        await File.WriteAllTextAsync(Path.Combine(venv, "src", "extra_module.py"), "VALUE = 7\n");
        await File.WriteAllTextAsync(Path.Combine(sitePackages, "extra.pth"), "# a directory inside the environment, then code\n../../../src\nimport greeting; greeting.set_by_pth = 42\n");
        return venv;
    }

    private static Task CopyDirectoryAsync(string source, string destination) => RunAsync("cp", "-r", source, destination);

    private static async Task RunAsync(string executable, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{executable} {string.Join(' ', arguments)}: {await stderr}");
    }
}
