using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Hosting.Tests;

/// <summary>
/// Named runtimes (<c>AddPythonRuntime(name)</c>): their own configuration section, options, providers and keyed
/// services, validation across runtimes, and messages naming each runtime's own keys. No test here starts Python.
/// </summary>
public sealed class NamedRuntimeTests
{
    [Fact]
    public void ANamedRuntime_IsBoundFromItsOwnSection_AndTheDefaultIgnoresTheRuntimesKey()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?>
        {
            ["PythonRuntime:Permissions:IO"] = "ReadOnly",
            ["PythonRuntime:Runtimes:reports:Permissions:IO"] = "All",
            ["PythonRuntime:Runtimes:reports:ExecutionTimeout"] = "00:00:07",
            ["PythonRuntime:Runtimes:reports:Isolation:Mode"] = "Process",
        });
        builder.Services.AddPythonRuntime();
        builder.Services.AddPythonRuntime("reports");
        using var host = builder.Build();

        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>();
        Assert.Equal(IOAccess.ReadOnly, monitor.Get(Options.DefaultName).Permissions.IO);
        Assert.NotEqual(TimeSpan.FromSeconds(7), monitor.Get(Options.DefaultName).ExecutionTimeout);
        Assert.Equal(IOAccess.All, monitor.Get("reports").Permissions.IO);
        Assert.Equal(TimeSpan.FromSeconds(7), monitor.Get("reports").ExecutionTimeout);
        Assert.Equal(PythonIsolationMode.Process, monitor.Get("reports").Isolation.Mode);
    }

    [Fact]
    public async Task EachRuntime_IsItsOwnKeyedService_AndTheProviderFindsItByName()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPythonRuntime();
        services.AddPythonRuntime("reports", static o => o.Isolation.Mode = PythonIsolationMode.Process);
        using var provider = services.BuildServiceProvider();

        var byDefault = provider.GetRequiredService<IPythonRuntime>();
        var reports = provider.GetRequiredKeyedService<IPythonRuntime>("reports");
        var runtimes = provider.GetRequiredService<IPythonRuntimeProvider>();

        Assert.NotSame(byDefault, reports);
        Assert.Same(reports, runtimes.Get("reports"));
        Assert.Same(byDefault, runtimes.Get(""));
        Assert.Equal(["", "reports"], runtimes.Names);
        var missing = Assert.Throws<KeyNotFoundException>(() => runtimes.Get("formulas"));
        Assert.Contains("'reports'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("AddPythonRuntime(\"formulas\")", missing.Message, StringComparison.Ordinal);
        var notStarted = await Assert.ThrowsAsync<InvalidOperationException>(() => reports.EvaluateAsync<int>("1"));
        Assert.Contains("'reports'", notStarted.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachRuntime_HasItsOwnHostedServiceAndObserver()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPythonRuntime("a", static o => o.Isolation.Mode = PythonIsolationMode.Process);
        services.AddPythonRuntime("b", static o => o.Isolation.Mode = PythonIsolationMode.Process);
        services.AddPythonRuntime("a");
        using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().OfType<PythonRuntimeHostedService>().Select(static h => h.Registrations.Name);
        Assert.Equal(["a", "b"], hosted);
        Assert.Equal("a", provider.GetRequiredKeyedService<PythonCallDiagnostics>("a").Runtime);
        Assert.Equal("b", provider.GetRequiredKeyedService<PythonCallDiagnostics>("b").Runtime);
    }

    [Fact]
    public void CallingAddPythonRuntimeTwiceWithOneName_ComposesTheDelegatesInCallOrder()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime("reports", static o => o.Permissions.IO = IOAccess.None);
        services.AddPythonRuntime("reports", static o => o.Permissions.CreateThread = true);
        services.AddPythonRuntime("reports", static o => o.Permissions.IO = IOAccess.ReadOnly);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>().Get("reports");

        Assert.Equal(IOAccess.ReadOnly, options.Permissions.IO);
        Assert.True(options.Permissions.CreateThread);
        Assert.Equal(IOAccess.None, provider.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>().Get(Options.DefaultName).Permissions.IO);
    }

    [Fact]
    public void ProvidersAndNativeExtensions_BelongToTheRuntimeWhoseBuilderRegisteredThem()
    {
        var services = new ServiceCollection();
        var reportsFileSystem = new InMemoryPythonFileSystem();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddPythonRuntime(static o => o.Isolation.Mode = PythonIsolationMode.Process);
        services.AddPythonRuntime("reports", static o =>
            {
                o.Permissions.IO = IOAccess.All;
                o.Permissions.CreateThread = true;
                o.Permissions.NativeAccess = true;
            })
            .WithFileSystem(reportsFileSystem)
            .WithTimeProvider(clock)
            .AddNativeExtension("numpy");
        using var provider = services.BuildServiceProvider();

        Assert.Same(reportsFileSystem, provider.GetRequiredKeyedService<IPythonFileSystem>("reports"));
        Assert.NotSame(reportsFileSystem, provider.GetRequiredService<IPythonFileSystem>());
        Assert.Same(clock, provider.GetRequiredKeyedService<PythonClock>("reports").TimeProvider);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<PythonClock>().TimeProvider);
        var monitor = provider.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>();
        Assert.Equal(["numpy"], monitor.Get("reports").NativeExtensions);
        Assert.Empty(monitor.Get(Options.DefaultName).NativeExtensions);
    }

    [Fact]
    public async Task TwoInProcessRuntimes_FailAtStart_NamingBothKeysAndTheFix()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?> { ["PythonRuntime:Runtimes:formulas:Permissions:IO"] = "None" });
        builder.Services.AddPythonRuntime();
        builder.Services.AddPythonRuntime("formulas");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            "PythonRuntime:Runtimes:formulas:Isolation:Mode 'InProcess' cannot be used: the runtime 'default' is already InProcess (PythonRuntime:Isolation:Mode), and CPython exists once per process. Set PythonRuntime:Runtimes:formulas:Isolation:Mode=Process (or PythonRuntime:Isolation:Mode=Process) so that one of them runs in worker processes.",
            Assert.Single(error.Failures));
        Assert.Null(host.Services.GetRequiredService<PythonRuntimeHolder>().Runtime);
    }

    [Fact]
    public async Task ANamedRuntimesProblems_NameItsOwnKeys_AllAtOnce()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?>
        {
            ["PythonRuntime:Runtimes:reports:Isolation:Mode"] = "Process",
            ["PythonRuntime:Runtimes:reports:Permisions:IO"] = "All",
            ["PythonRuntime:Runtimes:reports:ExecutionTimeout"] = "3.00:00:00",
            ["PythonRuntime:Runtimes:reprots:Backend"] = "Native",
        });
        builder.Services.AddPythonRuntime("reports");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, static f => f.StartsWith("PythonRuntime:Runtimes:reports:Permisions is not a known key; did you mean Permissions", StringComparison.Ordinal));
        Assert.Contains(error.Failures, static f => f.StartsWith("PythonRuntime:Runtimes:reports:ExecutionTimeout '3.00:00:00'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, static f => f.StartsWith("PythonRuntime:Runtimes:reprots configures a runtime named 'reprots', but no runtime of that name is registered (registered: reports)", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, static f => f.Contains("PythonRuntime:ExecutionTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDefaultSection_DoesNotReportTheRuntimesKeyAsUnknown()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?>
        {
            ["PythonRuntime:Permissions:IO"] = "ReadOnly",
            ["PythonRuntime:Runtimes:reports:Isolation:Mode"] = "Process",
        });
        builder.Services.AddPythonRuntime();
        builder.Services.AddPythonRuntime("reports");
        using var host = builder.Build();

        var monitor = host.Services.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>();

        Assert.Equal(IOAccess.ReadOnly, monitor.Get(Options.DefaultName).Permissions.IO);
        Assert.Equal(PythonIsolationMode.Process, monitor.Get("reports").Isolation.Mode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("with space")]
    [InlineData("default")]
    [InlineData("Default")]
    public void AnInvalidName_IsRefused(string name)
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddPythonRuntime(name));

        Assert.Equal("name", error.ParamName);
        Assert.Empty(services);
    }
}
