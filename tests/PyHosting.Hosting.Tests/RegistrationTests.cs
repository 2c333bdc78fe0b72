using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using PyHosting.Hosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Hosting.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddPythonRuntime_NullServices_Throws() =>
        Assert.Throws<ArgumentNullException>(() => PythonRuntimeServiceCollectionExtensions.AddPythonRuntime(null!));

    [Fact]
    public void AddPythonRuntime_ReturnsBuilderOverTheSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddPythonRuntime();

        Assert.Same(services, builder.Services);
    }

    [Fact]
    public void AddPythonRuntime_CalledTwice_RegistersEverythingOnce()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        var once = services.Select(static d => d.ServiceType).ToList();

        services.AddPythonRuntime();

        Assert.Equal(once, services.Select(static d => d.ServiceType));
        Assert.Single(services, static d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, static d => d.ServiceType == typeof(IPythonRuntime));
        Assert.Single(services, static d => d.ServiceType == typeof(IPythonFileSystem));
        Assert.Single(services, static d => d.ServiceType == typeof(IConfigureOptions<PythonRuntimeOptions>));
    }

    [Fact]
    public async Task IPythonRuntime_ResolvesToOneObject_ThatFailsClearlyBeforeStart()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        var runtime = provider.GetRequiredService<IPythonRuntime>();

        Assert.Same(runtime, provider.GetRequiredService<IPythonRuntime>());
        Assert.Equal(PythonBackend.Managed, runtime.Backend);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.EvaluateAsync<int>("1 + 1"));
        Assert.Contains("has not been started", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.ExecuteAsync("pass"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAsync<int>("m", "f", []));
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.RunFileAsync("/x.py"));
        Assert.Throws<InvalidOperationException>(() => runtime.RedirectOutput(TextWriter.Null));
    }

    [Fact]
    public void Defaults_NoMounts_EmptyInMemoryFileSystemAndDenyAllProcesses()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<InMemoryPythonFileSystem>(provider.GetRequiredService<IPythonFileSystem>());
        Assert.IsType<DenyAllPythonProcessProvider>(provider.GetRequiredService<IPythonProcessProvider>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<PythonClock>().TimeProvider);
        var registrations = provider.GetRequiredService<PythonRuntimeRegistrations>();
        Assert.Null(registrations.CodeFileSystem);
        Assert.Null(registrations.CodeProcessProvider);
        Assert.True(registrations.IsDefault(provider.GetRequiredService<IPythonFileSystem>()));
        Assert.True(registrations.IsDefault(provider.GetRequiredService<IPythonProcessProvider>()));
    }

    [Fact]
    public void Defaults_MountsFromConfiguration_BuildMountTableRelativeToContentRoot()
    {
        var root = Directory.CreateTempSubdirectory("pyhosting-mounts-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            File.WriteAllText(Path.Combine(root, "scripts", "hello.py"), "print('hi')");
            var builder = TestHosts.Builder(new Dictionary<string, string?>
            {
                ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/app",
                ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = "scripts",
                ["PythonRuntime:FileSystem:Mounts:0:ReadOnly"] = "true",
                ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/tmp",
                ["PythonRuntime:FileSystem:Mounts:1:InMemory"] = "true",
                ["PythonRuntime:FileSystem:Mounts:1:MaxBytes"] = "1024",
            });
            builder.Environment.ContentRootPath = root;
            builder.Services.AddPythonRuntime();
            using var host = builder.Build();

            var fileSystem = host.Services.GetRequiredService<IPythonFileSystem>();

            Assert.IsType<MountTablePythonFileSystem>(fileSystem);
            Assert.Equal(PythonFileKind.File, fileSystem.GetStatus("/app/hello.py")?.Kind);
            Assert.ThrowsAny<IOException>(() => fileSystem.Open("/app/new.py", PythonOpenFlags.Write | PythonOpenFlags.Create).Dispose());
            using var file = fileSystem.Open("/tmp/a", PythonOpenFlags.Write | PythonOpenFlags.Create);
            file.Write(new byte[100]);
            Assert.ThrowsAny<IOException>(() => file.Write(new byte[2000]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Defaults_CreateProcess_ProcessProviderWrappedInAllowListWhenConfigured()
    {
        var open = ProcessProvider(new Dictionary<string, string?> { ["PythonRuntime:Permissions:CreateProcess"] = "true" });
        var allowList = ProcessProvider(new Dictionary<string, string?>
        {
            ["PythonRuntime:Permissions:CreateProcess"] = "true",
            ["PythonRuntime:Processes:AllowedExecutables:0"] = "echo",
        });

        Assert.IsType<ProcessPythonProcessProvider>(open);
        Assert.Equal(["echo"], Assert.IsType<AllowListPythonProcessProvider>(allowList).AllowedExecutables);
    }

    [Fact]
    public void WithProviders_InstancesWinOverDefaults_AndAreRecordedAsCodeRegistrations()
    {
        var fileSystem = new Mock<IPythonFileSystem>().Object;
        var processes = new Mock<IPythonProcessProvider>().Object;
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddPythonRuntime().WithFileSystem(fileSystem).WithProcessProvider(processes).WithTimeProvider(clock);
        using var provider = services.BuildServiceProvider();

        Assert.Same(fileSystem, provider.GetRequiredService<IPythonFileSystem>());
        Assert.Same(processes, provider.GetRequiredService<IPythonProcessProvider>());
        Assert.Same(clock, provider.GetRequiredService<PythonClock>().TimeProvider);
        Assert.Single(services, static d => d.ServiceType == typeof(IPythonFileSystem));
        var registrations = provider.GetRequiredService<PythonRuntimeRegistrations>();
        Assert.Equal(fileSystem.GetType().FullName, registrations.CodeFileSystem);
        Assert.Equal(processes.GetType().FullName, registrations.CodeProcessProvider);
        Assert.False(registrations.IsDefault(fileSystem));
    }

    [Fact]
    public void WithProviders_TypesAreCreatedByTheContainer()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime().WithFileSystem<TestFileSystem>().WithProcessProvider<TestProcessProvider>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<TestFileSystem>(provider.GetRequiredService<IPythonFileSystem>());
        Assert.IsType<TestProcessProvider>(provider.GetRequiredService<IPythonProcessProvider>());
    }

    [Fact]
    public void UserRegistrationBeforeAddPythonRuntime_WinsOverDefault()
    {
        var fileSystem = new Mock<IPythonFileSystem>().Object;
        var services = new ServiceCollection();
        services.AddSingleton(fileSystem);

        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        Assert.Same(fileSystem, provider.GetRequiredService<IPythonFileSystem>());
        Assert.Single(services, static d => d.ServiceType == typeof(IPythonFileSystem));
        Assert.False(provider.GetRequiredService<PythonRuntimeRegistrations>().IsDefault(fileSystem));
    }

    [Fact]
    public void UserRegistrationAfterAddPythonRuntime_WinsOverDefault()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        services.AddSingleton<IPythonProcessProvider>(static _ => new TestProcessProvider());
        using var provider = services.BuildServiceProvider();

        var processes = provider.GetRequiredService<IPythonProcessProvider>();
        Assert.IsType<TestProcessProvider>(processes);
        Assert.False(provider.GetRequiredService<PythonRuntimeRegistrations>().IsDefault(processes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ApplicationsTimeProvider_IsPythonsClock_WhetherRegisteredBeforeOrAfter(bool before)
    {
        var applicationClock = new FakeTimeProvider();
        var services = new ServiceCollection();
        if (before)
        {
            services.AddSingleton<TimeProvider>(applicationClock);
        }

        services.AddPythonRuntime();
        if (!before)
        {
            services.AddSingleton<TimeProvider>(applicationClock);
        }

        using var provider = services.BuildServiceProvider();

        Assert.Same(applicationClock, provider.GetRequiredService<TimeProvider>());
        Assert.Same(applicationClock, provider.GetRequiredService<PythonClock>().TimeProvider);
    }

    [Fact]
    public void WithoutAnyClock_TheSystemClockIsRegistered_AndIsPythons()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<PythonClock>().TimeProvider);
    }

    [Fact]
    public void WithTimeProvider_DoesNotReplaceTheApplicationsTimeProvider()
    {
        var applicationClock = new FakeTimeProvider();
        var pythonClock = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(applicationClock);
        services.AddPythonRuntime().WithTimeProvider(pythonClock);
        using var provider = services.BuildServiceProvider();

        Assert.Same(applicationClock, provider.GetRequiredService<TimeProvider>());
        Assert.Same(pythonClock, provider.GetRequiredService<PythonClock>().TimeProvider);
    }

    [Fact]
    public void NativeBackend_WithCodeRegisteredProviders_FailsValidationNamingBoth()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        });
        services.AddPythonRuntime().WithFileSystem<TestFileSystem>().WithProcessProvider<TestProcessProvider>();

        var failures = TestHosts.Failures(services.BuildServiceProvider());

        Assert.Equal(
            [
                "PythonRuntime:Backend 'Native' cannot use the IPythonFileSystem registered in code (PyHosting.Hosting.Tests.TestFileSystem): the Native backend calls the operating system directly; remove the registration, or use PythonRuntime:Backend=Managed.",
                "PythonRuntime:Backend 'Native' cannot use the IPythonProcessProvider registered in code (PyHosting.Hosting.Tests.TestProcessProvider): the Native backend calls the operating system directly; remove the registration, or use PythonRuntime:Backend=Managed.",
            ],
            failures);
    }

    [Fact]
    public void ManagedBackend_WithCodeRegisteredProviders_IsValid()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime().WithFileSystem<TestFileSystem>().WithProcessProvider<TestProcessProvider>();

        Assert.Empty(TestHosts.Failures(services.BuildServiceProvider()));
    }

    private static IPythonProcessProvider ProcessProvider(Dictionary<string, string?> configuration)
    {
        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();
        return services.BuildServiceProvider().GetRequiredService<IPythonProcessProvider>();
    }
}
