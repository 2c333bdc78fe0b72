using PyHosting.Testing;

namespace PyHosting.Hosting.Tests.Integration;

/// <summary>Configuration sources and start-up failures of a real host process.</summary>
public sealed class TestHostStartupTests
{
    [Fact]
    public async Task CommandLine_OverridesEnvironment_AndExecutionTimeoutApplies()
    {
        var environment = new Dictionary<string, string>
        {
            ["PythonRuntime__Backend"] = "Managed",
            ["PythonRuntime__Permissions__IO"] = "None",
            ["PythonRuntime__Permissions__NativeAccess"] = "true",
        };
        var commandLine = new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:ExecutionTimeout"] = "00:00:01",
        };
        await using var python = await PythonProcess.StartAsync(commandLine, environment: environment);

        var options = (await python.SendAsync(new() { ["op"] = "options" })).EnsureOk().Result!;
        var timedOut = await python.ExecAsync("while True: pass");

        Assert.Equal("Native", (string?)options["Backend"]);
        Assert.Equal("All", (string?)options["Permissions"]!["IO"]);
        Assert.True((bool)options["Permissions"]!["NativeAccess"]!);
        Assert.Equal("TimeoutException", timedOut.Type);
        Assert.Contains("PythonRuntime:ExecutionTimeout", timedOut.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await python.EvalAsync("1 + 2")).GetResult<long>());
        Assert.Equal(0, await python.StopAsync());
    }

    [Fact]
    public async Task NativeExtensionWithoutPermissions_ExitsWithCode2_NamingEveryPermission_BeforePythonStarts()
    {
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(new Dictionary<string, string?> { ["PythonRuntime:NativeExtensions:0"] = "numpy" });

        Assert.Equal(2, exitCode);
        Assert.Contains(
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found None), PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false).",
            stderr,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Starting CPython", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEnumValueOnCommandLine_ExitsWithCode2_NamingTheKey()
    {
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(PythonProcess.Native([new("PythonRuntime:Backend", "Nativ")]));

        Assert.Equal(2, exitCode);
        Assert.Contains("PythonRuntime:Backend 'Nativ' is not a valid value; use one of: Managed, Native.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Starting CPython", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeExtensionsThatCannotBeFound_ExitWithCode2_NamingModuleAndSearchPath()
    {
        var (exitCode, stderr) = await PythonProcess.RunToExitAsync(PythonProcess.Native(
        [
            new("PythonRuntime:Permissions:CreateThread", "true"),
            new("PythonRuntime:NativeExtensions:0", "_sqlite3"),
            new("PythonRuntime:NativeExtensions:1", "json"),
            new("PythonRuntime:NativeExtensions:2", "no_such_extension_here"),
        ]));

        Assert.Equal(2, exitCode);
        Assert.Contains("PyHosting.PythonStartupException", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NativeExtensions:0", stderr, StringComparison.Ordinal);
        Assert.Matches(@"PythonRuntime:NativeExtensions:1 'json' \(/\S+/json/__init__\.py\) is not a native extension and contains none; register the extension module itself", stderr);
        Assert.Matches(@"PythonRuntime:NativeExtensions:2 'no_such_extension_here' was not found on the module path \(searched: [^)]*/usr/lib/python3\.11[^)]*\); install it, or add its directory to PythonRuntime:ModulePaths\.", stderr);
    }
}
