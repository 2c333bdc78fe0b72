namespace PyHosting.Hosting.Tests.Integration;

/// <summary>The common behaviour on the Managed backend, with the default (safest) permissions.</summary>
public sealed class ManagedBackendTests(ManagedFixture fixture) : PythonRuntimeBehaviourTests(fixture), IClassFixture<ManagedFixture>
{
    [Fact]
    public async Task Subprocess_WithDefaultPermissions_IsPermissionErrorNamingTheKey()
    {
        var response = await Python.ExecAsync("import subprocess\nsubprocess.run(['true'])");

        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains("PythonRuntime:Permissions:CreateProcess", response.PythonMessage, StringComparison.Ordinal);
    }
}
