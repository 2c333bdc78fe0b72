using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>Hosts whose registered native extensions are refused at start: the TestHost exits with code 2.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task NumpyRegisteredWithoutPermissions_FailsBeforePythonStarts_NamingEachMissingPermission()
    {
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Managed",
            ["PythonRuntime:NativeExtensions:0"] = "numpy",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("Microsoft.Extensions.Options.OptionsValidationException", stderr, StringComparison.Ordinal);
        Assert.Contains(
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found None), PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false).",
            stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Starting CPython", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NumpyRegisteredWithSomePermissions_FailsBeforePythonStarts_NamingOnlyTheMissingOnes()
    {
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Managed",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:NativeExtensions:0"] = "numpy",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains(
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false).",
            stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Starting CPython", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Managed_MissingOrPurePythonRegistrations_FailAtStart_NamingEachModuleAndTheSearchPath()
    {
        var extensions = await CompiledExtensions.GetAsync();
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(Runtimes.ManagedWithExtensionMount(
            extensions.Directory, Runtimes.ExtensionPermissions, "tinyext", "no_such_extension", "pure_module", "json", "nativepkg", "math"));

        Assert.Equal(2, exitCode);
        Assert.Contains("PyHosting.PythonStartupException", stderr, StringComparison.Ordinal);
        Assert.Contains(
            "PythonRuntime:NativeExtensions:1 'no_such_extension' was not found on the module path (searched: /usr/lib/python3.11, /usr/lib/python3.11/lib-dynload, /ext, ",
            stderr,
            StringComparison.Ordinal);
        Assert.Matches(@"searched: [^)]*/usr/lib/python3/dist-packages[^)]*\); install it, or add its directory to PythonRuntime:ModulePaths\.", stderr);
        Assert.Contains("PythonRuntime:NativeExtensions:2 'pure_module' (/ext/pure_module.py) is not a native extension and contains none;", stderr, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:NativeExtensions:3 'json' (/usr/lib/python3.11/json/__init__.py) is not a native extension and contains none;", stderr, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:NativeExtensions:5 'math' is compiled into the interpreter, not a native extension", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NativeExtensions:0", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NativeExtensions:4", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_MissingOrPurePythonRegistrations_FailAtStart_NamingEachModuleAndTheSearchPath()
    {
        var extensions = await CompiledExtensions.GetAsync();
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(Runtimes.Native(
            extensions.NativeBackendDirectory, "nativepkg.no_such_submodule", "pure_module", "tinyext", "nativepkg._speedups"));

        Assert.Equal(2, exitCode);
        Assert.Contains("PyHosting.PythonStartupException", stderr, StringComparison.Ordinal);
        Assert.Contains(
            $"PythonRuntime:NativeExtensions:0 'nativepkg.no_such_submodule' was not found on the module path (searched: {extensions.NativeBackendDirectory}/nativepkg);",
            stderr,
            StringComparison.Ordinal);
        Assert.Contains($"PythonRuntime:NativeExtensions:1 'pure_module' ({extensions.NativeBackendDirectory}/pure_module.py) is not a native extension and contains none;", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NativeExtensions:2", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NativeExtensions:3", stderr, StringComparison.Ordinal);
    }
}
