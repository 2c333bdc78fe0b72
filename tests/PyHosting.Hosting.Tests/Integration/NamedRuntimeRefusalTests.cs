namespace PyHosting.Hosting.Tests.Integration;

/// <summary>
/// A named runtime in process: its refusals name its own keys (<c>PythonRuntime:Runtimes:formulas:…</c>), the keys that
/// would allow the operation in that runtime, and never the default runtime's.
/// </summary>
public sealed class NamedRuntimeRefusalTests(NamedManagedFixture fixture) : IClassFixture<NamedManagedFixture>
{
    [Fact]
    public async Task ReadingAFile_IsRefused_NamingTheNamedRuntimesIOKey()
    {
        var response = await fixture.Process.ExecAsync("open('/etc/hostname').read()");

        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains("PythonRuntime:Runtimes:formulas:Permissions:IO is None", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartingAProcess_IsRefused_NamingTheNamedRuntimesCreateProcessKey()
    {
        var response = await fixture.Process.ExecAsync("import subprocess\nsubprocess.run(['true'])");

        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains("PythonRuntime:Runtimes:formulas:Permissions:CreateProcess is false", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportingCtypes_IsRefused_NamingTheNamedRuntimesNativeAccessKey()
    {
        var response = await fixture.Process.ExecAsync("import ctypes");

        Assert.Contains("PythonRuntime:Runtimes:formulas:Permissions:NativeAccess is false", response.PythonMessage, StringComparison.Ordinal);
    }
}
