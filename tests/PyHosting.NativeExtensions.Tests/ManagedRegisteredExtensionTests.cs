using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// A Managed runtime with the three permissions, the compiled extensions mounted from a host
/// directory and listed in ModulePaths, and <c>tinyext</c> and <c>nativepkg</c> registered
/// (numpy is on the module path, because extensions are registered, but is not registered).
/// </summary>
public sealed class ManagedRegisteredExtensionTests(ManagedRegisteredExtensionTests.Fixture fixture) : IClassFixture<ManagedRegisteredExtensionTests.Fixture>
{
    private PythonProcess Python => fixture.Python;

    [Fact]
    public async Task RegisteredExtension_InPhysicalMount_RunsItsNativeCode()
    {
        var result = await Python.EvalAsync("(lambda m: [m.add(2, 40), m.greet('PyHosting'), m.__file__, type(m.__loader__).__name__])(__import__('tinyext'))");

        Assert.Equal(
            ["42", "hello from C, PyHosting", $"{Runtimes.ExtensionMount}/tinyext{fixture.Extensions.Suffix}", "ExtensionFileLoader"],
            result.EnsureOk().Result!.AsArray().Select(static n => n!.ToString()));
    }

    [Fact]
    public async Task RegisteredExtension_ImportedAgain_KeepsItsRuntimePathAndState()
    {
        (await Python.ExecAsync("import sys, tinyext\nsys.modules.pop('tinyext')\nimport tinyext as tinyext_again")).EnsureOk();

        var result = await Python.EvalAsync("[tinyext_again.__file__, tinyext_again.add(1, 1)]");

        Assert.Equal($$"""["{{Runtimes.ExtensionMount}}/tinyext{{fixture.Extensions.Suffix}}",2]""", result.EnsureOk().Result!.ToJsonString());
    }

    [Fact]
    public async Task RegisteredPackage_CoversItsNativeSubmodule()
    {
        var result = await Python.EvalAsync("(lambda p: [p.add(-5, 8), p._speedups.__name__, type(p._speedups.__loader__).__name__])(__import__('nativepkg'))");

        Assert.Equal(["3", "nativepkg._speedups", "ExtensionFileLoader"], result.EnsureOk().Result!.AsArray().Select(static n => n!.ToString()));
    }

    [Fact]
    public async Task UnregisteredNumpy_OnTheSystemModulePath_IsImportErrorNamingTheKey()
    {
        var response = await Python.ExecAsync("import numpy");

        Assert.Equal("ImportError", response.PythonType);
        Assert.Contains("native extension 'numpy.core._multiarray_umath' is not registered in PythonRuntime:NativeExtensions", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardLibraryExtensionReachingTheSystem_Unregistered_IsImportErrorNamingTheKey()
    {
        var response = await Python.ExecAsync("import _dbm");

        Assert.Equal("ImportError", response.PythonType);
        Assert.Equal("native extension '_dbm' is not registered in PythonRuntime:NativeExtensions", response.PythonMessage);
    }

    [Fact]
    public async Task SqliteLoadExtension_WithNativeAccess_LoadsOnlyFromAHostMount()
    {
        var suffix = fixture.Extensions.Suffix;
        var mounted = await Python.ExecAsync(
            "import sqlite3\n" +
            "c = sqlite3.connect(':memory:')\n" +
            "c.enable_load_extension(True)\n" +
            $"c.load_extension('{Runtimes.ExtensionMount}/tinyext{suffix}')");
        var inMemory = await Python.ExecAsync(
            "import shutil, sqlite3\n" +
            $"shutil.copyfile('{Runtimes.ExtensionMount}/tinyext{suffix}', '/mem/sqlite-ext{suffix}')\n" +
            "c = sqlite3.connect(':memory:')\n" +
            "c.enable_load_extension(True)\n" +
            $"c.load_extension('/mem/sqlite-ext{suffix}')");

        // The library loads (it is a Python extension, so SQLite then finds no entry point of its own in it).
        Assert.Equal("sqlite3.OperationalError", mounted.PythonType);
        Assert.Equal("no entry point [sqlite3_tinyext_init] in the SQLite extension", mounted.PythonMessage);
        Assert.Equal("sqlite3.OperationalError", inMemory.PythonType);
        Assert.Equal($"SQLite extension '/mem/sqlite-ext{suffix}' cannot be loaded: it has no host path (native code loads only from a directory mounted from the host)", inMemory.PythonMessage);
    }

    [Fact]
    public async Task RegisteredName_LoadedFromMemory_IsImportErrorForLackOfAHostFile()
    {
        var suffix = fixture.Extensions.Suffix;
        var response = await Python.ExecAsync(
            "import shutil\n" +
            $"shutil.copyfile('{Runtimes.ExtensionMount}/tinyext{suffix}', '/mem/tinyext{suffix}')\n" +
            LoadExtension("tinyext", $"/mem/tinyext{suffix}"));

        Assert.Equal("ImportError", response.PythonType);
        Assert.Contains($"cannot be loaded from '/mem/tinyext{suffix}': the file has no host path", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctypes_WithNativeAccess_CallsIntoNativeCode()
    {
        var result = await Python.EvalAsync("(lambda c: [c.sizeof(c.c_int32), c.c_int32(-7).value])(__import__('ctypes'))");

        Assert.Equal([4L, -7L], result.GetResult<long[]>()!);
    }

    /// <summary>Python statements that load an extension file under a module name, as a finder would.</summary>
    internal static string LoadExtension(string name, string path) =>
        "import importlib.machinery as _m, importlib.util as _u\n" +
        $"_spec = _u.spec_from_file_location('{name}', '{path}', loader=_m.ExtensionFileLoader('{name}', '{path}'))\n" +
        "_u.module_from_spec(_spec)\n";

    public sealed class Fixture : RuntimeFixture
    {
        internal override Dictionary<string, string?> Configure(CompiledExtensions extensions) =>
            Runtimes.ManagedWithExtensionMount(extensions.Directory, Runtimes.ExtensionPermissions, "tinyext", "nativepkg");
    }
}
