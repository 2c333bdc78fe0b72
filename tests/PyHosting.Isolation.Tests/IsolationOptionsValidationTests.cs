using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PyHosting.Isolation.Tests;

public sealed class IsolationOptionsValidationTests
{
    public static TheoryData<string, string, string> InvalidSettings => new()
    {
        { "PythonRuntime:Isolation:Mode", "Sideways", "PythonRuntime:Isolation:Mode" },
        { "PythonRuntime:Isolation:Confinement", "Maybe", "PythonRuntime:Isolation:Confinement" },
        { "PythonRuntime:Isolation:CallGracePeriod", "00:05:00", "PythonRuntime:Isolation:CallGracePeriod '00:05:00' is out of range" },
        { "PythonRuntime:Isolation:CallGracePeriod", "-00:00:01", "PythonRuntime:Isolation:CallGracePeriod '-00:00:01' is out of range" },
        { "PythonRuntime:Isolation:RecycleAfterCalls", "-1", "PythonRuntime:Isolation:RecycleAfterCalls '-1' must not be negative" },
        { "PythonRuntime:Isolation:Mdoe", "Process", "did you mean Mode (PythonRuntime:Isolation:Mode)" },
    };

    [Theory]
    [InlineData("", "PythonRuntime:Isolation:Mode")]
    [InlineData("formulas", "PythonRuntime:Runtimes:formulas:Isolation:Mode")]
    public void WorkerLauncher_InANativeAotHost_RefusesNamingTheRuntimesModeKey(string name, string key)
    {
        var options = new PythonRuntimeOptions();
        new PyHosting.Hosting.Internal.PythonRuntimePostConfigureOptions().PostConfigure(name, options);

        var e = Assert.Throws<PythonStartupException>(() => PyHosting.Hosting.Isolation.WorkerLauncher.EnsureWorkersCanStart(dynamicCode: false, options));
        Assert.StartsWith(key + "=Process is not supported in a NativeAOT application", e.Message, StringComparison.Ordinal);
        Assert.Contains(key + "=InProcess", e.Message, StringComparison.Ordinal);
        PyHosting.Hosting.Isolation.WorkerLauncher.EnsureWorkersCanStart(dynamicCode: true, options);
    }

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task Start_InvalidIsolationSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection([new(key, value)]);
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(e.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreInProcessAutoTwoSecondsNoRecycling()
    {
        var options = new PythonRuntimeOptions();
        Assert.Equal(PythonIsolationMode.InProcess, options.Isolation.Mode);
        Assert.Equal(PythonConfinement.Auto, options.Isolation.Confinement);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Isolation.CallGracePeriod);
        Assert.Null(options.Isolation.RecycleAfterCalls);
    }

    [Fact]
    public async Task WorkerRevalidates_AndReportsStartupFailuresAsTheHostWould()
    {
        // Valid for the host, but the worker cannot find the library: the start fails with the worker's reason.
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection([new("PythonRuntime:Isolation:Mode", "Process"), new("PythonRuntime:Isolation:Confinement", "None"), new("PythonRuntime:NativeExtensions:0", "surely_not_installed_ext"), new("PythonRuntime:Permissions:IO", "All"), new("PythonRuntime:Permissions:NativeAccess", "true"), new("PythonRuntime:Permissions:CreateThread", "true")]);
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<PythonStartupException>(() => host.StartAsync());
        Assert.Contains("surely_not_installed_ext", e.Message, StringComparison.Ordinal);
    }
}
