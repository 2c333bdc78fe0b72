using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Internal;
using PyHosting.Providers;
using PyHosting.Internal;

namespace PyHosting.Hosting.Tests;

/// <summary>
/// Real hosts in this process whose start must fail before Python starts. No test in this
/// assembly starts CPython in-process (it could not be restarted); the TestHost tests do that.
/// </summary>
public sealed class HostStartTests
{
    [Fact]
    public async Task StartAsync_NativeExtensionWithoutPermissions_FailsNamingEveryPermission_PythonNotStarted()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?> { ["PythonRuntime:NativeExtensions:0"] = "numpy" });
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var failure = Assert.Single(error.Failures);
        Assert.Contains("PythonRuntime:Permissions:NativeAccess", failure, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:Permissions:CreateThread", failure, StringComparison.Ordinal);
        Assert.Contains("PythonRuntime:Permissions:IO", failure, StringComparison.Ordinal);
        AssertPythonNotStarted(host);
    }

    [Fact]
    public async Task StartAsync_NativeExtensionRegisteredInCode_FailsLikeConfiguration()
    {
        var builder = TestHosts.Builder();
        builder.Services.AddPythonRuntime().AddNativeExtension("numpy");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found None), PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false).",
            Assert.Single(error.Failures));
        AssertPythonNotStarted(host);
    }

    [Fact]
    public async Task StartAsync_UnknownEnumValue_FailsWithValidationMessageNamingTheKey()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "Full",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        });
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "PythonRuntime:Permissions:IO 'Full' is not a valid value; use one of: None, ReadOnly, All.",
                "PythonRuntime:Backend 'Native' requires PythonRuntime:Permissions:IO=All (found None): the Native backend is not sandboxed; grant them, or use PythonRuntime:Backend=Managed.",
            ],
            error.Failures);
        AssertPythonNotStarted(host);
    }

    [Fact]
    public async Task StartAsync_InvalidConfiguration_WorkersRegisteredEarlierDoNotRunFirst()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?> { ["PythonRuntime:ExecutionTimeout"] = "-00:00:01" });
        var worker = new RecordingService();
        builder.Services.AddSingleton<IHostedService>(worker);
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.False(worker.Started);
        AssertPythonNotStarted(host);
    }

    [Fact]
    public async Task HostedService_StartingWithInvalidOptions_ThrowsBeforeCreatingTheRuntime()
    {
        // Even without the host's start-up validation, the hosted service reads validated options first.
        var services = TestHosts.Services(new Dictionary<string, string?> { ["PythonRuntime:FileSystem:Mounts:0:Path"] = "relative" });
        services.AddLogging();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();
        var service = (IHostedLifecycleService)provider.GetServices<IHostedService>().Single(static s => s is PythonRuntimeHostedService);

        await Assert.ThrowsAsync<OptionsValidationException>(() => service.StartingAsync(CancellationToken.None));

        Assert.Null(provider.GetRequiredService<PythonRuntimeHolder>().Runtime);
        Assert.False(PythonInterpreter.IsRunning);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HostedService_NativeBackendWithProviderRegisteredDirectly_ThrowsBeforeCreatingTheRuntime(bool beforeAddPythonRuntime)
    {
        // Registered on the collection, not through the builder: validation cannot see it, the start must.
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        });
        services.AddLogging();
        if (beforeAddPythonRuntime)
        {
            services.AddSingleton<IPythonFileSystem>(new TestFileSystem());
        }

        services.AddPythonRuntime();
        if (!beforeAddPythonRuntime)
        {
            services.AddSingleton<IPythonFileSystem>(static _ => new TestFileSystem());
        }

        using var provider = services.BuildServiceProvider();
        var service = (IHostedLifecycleService)provider.GetServices<IHostedService>().Single(static s => s is PythonRuntimeHostedService);
        Assert.Empty(TestHosts.Failures(provider));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => service.StartingAsync(CancellationToken.None));

        Assert.Equal(
            ["PythonRuntime:Backend 'Native' cannot use the IPythonFileSystem registered in code (PyHosting.Hosting.Tests.TestFileSystem): the Native backend calls the operating system directly; remove the registration, or use PythonRuntime:Backend=Managed."],
            error.Failures);
        Assert.Null(provider.GetRequiredService<PythonRuntimeHolder>().Runtime);
        Assert.False(PythonInterpreter.IsRunning);
    }

    [Fact]
    public async Task HostedService_StoppingBeforeStart_DoesNothing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();
        var service = (IHostedLifecycleService)provider.GetServices<IHostedService>().Single(static s => s is PythonRuntimeHostedService);

        await service.StopAsync(CancellationToken.None);
        await service.StoppedAsync(CancellationToken.None);

        Assert.False(PythonInterpreter.IsRunning);
    }

    private static void AssertPythonNotStarted(IHost host)
    {
        Assert.Null(host.Services.GetRequiredService<PythonRuntimeHolder>().Runtime);
        Assert.False(PythonInterpreter.IsRunning);
    }

    private sealed class RecordingService : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
