using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// A Managed runtime with the default (safest) permissions: IO=None, no threads, no native access.
/// The compiled extensions are mounted from a host directory and listed in ModulePaths, but nothing is registered.
/// </summary>
public sealed class ManagedUnregisteredExtensionTests(ManagedUnregisteredExtensionTests.Fixture fixture) : IClassFixture<ManagedUnregisteredExtensionTests.Fixture>
{
    private const string DynLoad = "/usr/lib/python3.11/lib-dynload/";

    private PythonProcess Python => fixture.Python;

    [Fact]
    public async Task UnregisteredExtension_OnModulePath_IsFoundButImportErrorNamingTheKey()
    {
        var found = await Python.EvalAsync("__import__('importlib.util').util.find_spec('tinyext').origin");
        var response = await Python.ExecAsync("import tinyext");

        Assert.Equal($"{Runtimes.ExtensionMount}/tinyext{fixture.Extensions.Suffix}", found.GetResult<string>());
        Assert.Equal("ImportError", response.PythonType);
        Assert.Equal("native extension 'tinyext' is not registered in PythonRuntime:NativeExtensions", response.PythonMessage);
    }

    [Fact]
    public async Task HostInstalledNumpy_NotRegistered_SaysItExistsAndNamesTheKey()
    {
        var response = await Python.ExecAsync("import numpy");
        var unknown = await Python.ExecAsync("import no_such_module_anywhere");

        Assert.Equal("ModuleNotFoundError", response.PythonType);
        Assert.Contains("'numpy' is installed for the host's Python", response.PythonMessage, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:NativeExtensions", response.PythonMessage, StringComparison.Ordinal);
        Assert.Equal("No module named 'no_such_module_anywhere'", unknown.PythonMessage);
    }

    [Fact]
    public async Task UnregisteredPackage_ItsPythonCodeRuns_ItsNativeSubmoduleIsRefused()
    {
        var response = await Python.ExecAsync("import nativepkg");

        Assert.Equal("ImportError", response.PythonType);
        Assert.Equal("native extension 'nativepkg._speedups' is not registered in PythonRuntime:NativeExtensions", response.PythonMessage);
        Assert.Contains("nativepkg/__init__.py", response.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctypes_WithoutNativeAccess_IsImportErrorNamingNativeAccess()
    {
        var ctypes = await Python.ExecAsync("import ctypes");
        var raw = await Python.ExecAsync("import _ctypes");

        Assert.All([ctypes, raw], static r => Assert.Equal("ImportError", r.PythonType));
        Assert.Equal("loading '_ctypes' (ctypes: calls arbitrary native code) denied: PythonRuntime:Permissions:NativeAccess is false", raw.PythonMessage);
        Assert.Contains("PythonRuntime:Permissions:NativeAccess is false", ctypes.PythonMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spoof._ctypes", "_ctypes", "PythonRuntime:Permissions:NativeAccess is false")]
    [InlineData("spoof._dbm", "_dbm", "native extension '_dbm' is not registered in PythonRuntime:NativeExtensions")]
    [InlineData("_dbm", "_dbm", "native extension '_dbm' is not registered in PythonRuntime:NativeExtensions")]
    public async Task RestrictedStandardLibraryExtension_LoadedUnderAnyName_IsRefused(string name, string file, string expected)
    {
        var response = await Python.ExecAsync(ManagedRegisteredExtensionTests.LoadExtension(name, $"{DynLoad}{file}{fixture.Extensions.Suffix}"));

        Assert.Equal("ImportError", response.PythonType);
        Assert.Contains(expected, response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_NeedsNoRegistration_AndLoadsNoExtensionWithoutNativeAccess()
    {
        var memory = await Python.EvalAsync("__import__('sqlite3').connect(':memory:').execute('select 6 * 7').fetchone()[0]");
        var load = await Python.ExecAsync(
            "import sqlite3\n" +
            "c = sqlite3.connect(':memory:')\n" +
            "c.enable_load_extension(True)\n" +
            $"c.load_extension('{Runtimes.ExtensionMount}/tinyext{fixture.Extensions.Suffix}')");

        Assert.Equal("42", memory.EnsureOk().Result!.ToJsonString());
        Assert.Equal("sqlite3.OperationalError", load.PythonType);
        Assert.Equal($"loading SQLite extension '{Runtimes.ExtensionMount}/tinyext{fixture.Extensions.Suffix}' denied: PythonRuntime:Permissions:NativeAccess is false", load.PythonMessage);
    }

    [Fact]
    public async Task OrdinaryStandardLibraryExtensions_NeedNoRegistration()
    {
        var result = await Python.EvalAsync("[str(__import__('decimal').Decimal('0.1') * 3), __import__('_decimal').__file__.startswith('/usr/lib/python3.11/lib-dynload/'), __import__('_json').__name__]");

        Assert.Equal("""["0.3",true,"_json"]""", result.EnsureOk().Result!.ToJsonString());
    }

    [Fact]
    public async Task Numpy_WithNothingRegistered_IsNotOnTheModulePath()
    {
        var response = await Python.ExecAsync("import numpy");

        Assert.Equal("ModuleNotFoundError", response.PythonType);
        Assert.DoesNotContain("/usr/lib/python3/dist-packages", (await Python.EvalAsync("__import__('sys').path")).EnsureOk().Result!.ToJsonString(), StringComparison.Ordinal);
    }

    public sealed class Fixture : RuntimeFixture
    {
        internal override Dictionary<string, string?> Configure(CompiledExtensions extensions) =>
            Runtimes.ManagedWithExtensionMount(extensions.Directory, []);
    }
}
