using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PyHosting.Hosting.Tests;

public sealed class OptionsBindingTests
{
    private const string Json = """
        {
          "PythonRuntime": {
            "Backend": "Native",
            "PythonLibrary": null,
            "ExecutionTimeout": "00:00:05",
            "MemoryLimit": 536870912,
            "Permissions": {
              "IO": "All",
              "CreateThread": true,
              "CreateProcess": true,
              "NativeAccess": true,
              "HostSockets": true,
              "Environment": "Inherit",
              "EnvironmentVariables": { "LANG": "C.UTF-8" }
            },
            "NativeExtensions": [ "numpy", "numpy" ],
            "ModulePaths": [ "/app/lib" ],
            "Processes": { "AllowedExecutables": [ "echo" ] },
            "FileSystem": {
              "WorkingDirectory": "/app",
              "Mounts": [
                { "Path": "/tmp", "InMemory": true, "MaxBytes": 1024 },
                { "Path": "/data", "InMemory": true, "ReadOnly": true }
              ]
            }
          }
        }
        """;

    [Fact]
    public void AddPythonRuntime_JsonConfiguration_BindsEveryKey()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build());
        services.AddPythonRuntime();

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(PythonBackend.Native, options.Backend);
        Assert.Null(options.PythonLibrary);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ExecutionTimeout);
        Assert.Equal(536870912L, options.MemoryLimit);
        Assert.Equal(IOAccess.All, options.Permissions.IO);
        Assert.True(options.Permissions.CreateThread);
        Assert.True(options.Permissions.CreateProcess);
        Assert.True(options.Permissions.NativeAccess);
        Assert.True(options.Permissions.HostSockets);
        Assert.Equal(EnvironmentAccess.Inherit, options.Permissions.Environment);
        Assert.Equal("C.UTF-8", options.Permissions.EnvironmentVariables["LANG"]);
        Assert.Equal(["numpy"], options.NativeExtensions);
        Assert.Equal(["/app/lib"], options.ModulePaths);
        Assert.Equal(["echo"], options.Processes.AllowedExecutables);
        Assert.Equal("/app", options.FileSystem.WorkingDirectory);
        Assert.Collection(
            options.FileSystem.Mounts,
            m => Assert.Equal(("/tmp", true, false, 1024L), (m.Path, m.InMemory, m.ReadOnly, m.MaxBytes)),
            m => Assert.Equal(("/data", true, true, 64L * 1024 * 1024), (m.Path, m.InMemory, m.ReadOnly, m.MaxBytes)));
    }

    [Fact]
    public void AddPythonRuntime_InMemoryConfiguration_BindsCaseInsensitively()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["pythonruntime:backend"] = "native",
            ["PythonRuntime:Permissions:IO"] = "all",
            ["PythonRuntime:Permissions:NativeAccess"] = "True",
            ["PythonRuntime:ExecutionTimeout"] = "",
            ["pythonruntime:memorylimit"] = "",
            ["PythonRuntime:ModulePaths:0"] = "lib",
        });
        services.AddPythonRuntime();

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(PythonBackend.Native, options.Backend);
        Assert.Equal(IOAccess.All, options.Permissions.IO);
        Assert.True(options.Permissions.NativeAccess);
        Assert.Null(options.ExecutionTimeout);
        Assert.Null(options.MemoryLimit);
        Assert.Equal(["lib"], options.ModulePaths);
    }

    [Fact]
    public void AddPythonRuntime_NoConfigurationService_UsesDefaultsAndCode()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime(o => o.ExecutionTimeout = TimeSpan.FromSeconds(1));

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(PythonBackend.Managed, options.Backend);
        Assert.Equal(IOAccess.None, options.Permissions.IO);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ExecutionTimeout);
        Assert.Equal(1L << 30, options.MemoryLimit);
    }

    [Fact]
    public void AddPythonRuntime_Delegate_OverridesConfiguration()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:ExecutionTimeout"] = "00:00:10",
        });
        services.AddPythonRuntime(o =>
        {
            o.Permissions.IO = IOAccess.ReadOnly;
            o.ModulePaths.Add("/code");
        });

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(IOAccess.ReadOnly, options.Permissions.IO);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ExecutionTimeout);
        Assert.Equal(["/code"], options.ModulePaths);
    }

    [Fact]
    public void AddPythonRuntime_CalledTwice_BindsOnceAndRunsBothDelegates()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:ModulePaths:0"] = "/a",
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/tmp",
            ["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true",
        });
        services.AddPythonRuntime(o => o.ModulePaths.Add("/b"));
        var count = services.Count;
        services.AddPythonRuntime(o => o.ModulePaths.Add("/c"));

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(count + 1, services.Count);
        Assert.Equal(["/a", "/b", "/c"], options.ModulePaths);
        Assert.Single(options.FileSystem.Mounts);
    }

    [Fact]
    public void AddNativeExtension_MergesWithConfigurationWithoutDuplicates()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:NativeExtensions:0"] = "numpy",
            ["PythonRuntime:NativeExtensions:1"] = "_sqlite3",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:CreateThread"] = "true",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        });
        services.AddPythonRuntime(o => o.NativeExtensions.Add("_sqlite3")).AddNativeExtension("numpy").AddNativeExtension("lxml");

        var options = TestHosts.Options(services.BuildServiceProvider());

        Assert.Equal(["numpy", "_sqlite3", "lxml"], options.NativeExtensions);
    }

    [Fact]
    public void AddNativeExtension_InvalidName_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime(o =>
        {
            o.Permissions.IO = IOAccess.All;
            o.Permissions.CreateThread = true;
            o.Permissions.NativeAccess = true;
        }).AddNativeExtension("not a module");

        var failure = Assert.Single(TestHosts.Failures(services.BuildServiceProvider()));

        Assert.Equal("PythonRuntime:NativeExtensions:0 'not a module' is not a Python module name; use a dotted identifier such as numpy or package.module.", failure);
    }

    public static TheoryData<string, string, string> UnconvertibleValues => new()
    {
        { "PythonRuntime:Backend", "Nativ", "PythonRuntime:Backend 'Nativ' is not a valid value; use one of: Managed, Native." },
        { "PythonRuntime:Backend", "", "PythonRuntime:Backend '' is not a valid value; use one of: Managed, Native." },
        { "PythonRuntime:Permissions:IO", "Everything", "PythonRuntime:Permissions:IO 'Everything' is not a valid value; use one of: None, ReadOnly, All." },
        { "PythonRuntime:Permissions:Environment", "All", "PythonRuntime:Permissions:Environment 'All' is not a valid value; use one of: None, Inherit." },
        { "PythonRuntime:Permissions:NativeAccess", "yes", "PythonRuntime:Permissions:NativeAccess 'yes' is not a valid value; use true or false." },
        { "PythonRuntime:ExecutionTimeout", "30s", "PythonRuntime:ExecutionTimeout '30s' is not a valid value; use a time span such as 00:00:30." },
        { "PythonRuntime:MemoryLimit", "512MB", "PythonRuntime:MemoryLimit '512MB' is not a valid value; use a whole number between -9223372036854775808 and 9223372036854775807." },
    };

    public static TheoryData<string, string, string> UnconvertibleMountValues => new()
    {
        { "PythonRuntime:FileSystem:Mounts:0:MaxBytes", "lots", "PythonRuntime:FileSystem:Mounts:0:MaxBytes 'lots' is not a valid value; use a whole number between -9223372036854775808 and 9223372036854775807." },
        { "PythonRuntime:FileSystem:Mounts:0:ReadOnly", "maybe", "PythonRuntime:FileSystem:Mounts:0:ReadOnly 'maybe' is not a valid value; use true or false." },
    };

    [Theory]
    [MemberData(nameof(UnconvertibleValues))]
    public void AddPythonRuntime_UnconvertibleValue_ReportedAsValidationErrorNamingTheKey(string key, string value, string expected)
    {
        var configuration = new Dictionary<string, string?> { [key] = value };

        // The binder alone throws half-way through binding on this value; AddPythonRuntime must not.
        Assert.Throws<InvalidOperationException>(() => BindWithoutChecks(configuration));
        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();

        var failures = TestHosts.Failures(services.BuildServiceProvider());

        Assert.Equal([expected], failures);
    }

    [Theory]
    [MemberData(nameof(UnconvertibleMountValues))]
    public void AddPythonRuntime_UnconvertibleMountValue_ReportedInsteadOfDroppingTheMount(string key, string value, string expected)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/tmp",
            ["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true",
            [key] = value,
        };

        // The binder alone silently drops a collection element it cannot convert: a mount would vanish.
        Assert.Empty(BindWithoutChecks(configuration).FileSystem.Mounts);
        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();

        var failures = TestHosts.Failures(services.BuildServiceProvider());

        Assert.Equal([expected], failures);
    }

    [Fact]
    public void AddPythonRuntime_UnconvertibleValue_OtherKeysStillBound()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Nativ",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:CreateThread"] = "perhaps",
            ["PythonRuntime:NativeExtensions:0"] = "numpy",
        });
        services.AddPythonRuntime();

        var failures = TestHosts.Failures(services.BuildServiceProvider());

        Assert.Equal(
            [
                "PythonRuntime:Backend 'Nativ' is not a valid value; use one of: Managed, Native.",
                "PythonRuntime:Permissions:CreateThread 'perhaps' is not a valid value; use true or false.",
                "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false).",
            ],
            failures);
    }

    public static TheoryData<string, string, string> UnknownKeys => new()
    {
        {
            "PythonRuntime:FileSystem:Mounts:0:ReadOnlly", "true",
            "PythonRuntime:FileSystem:Mounts:0:ReadOnlly is not a known key; did you mean ReadOnly (PythonRuntime:FileSystem:Mounts:0:ReadOnly)?"
        },
        { "PythonRuntime:Permisions:IO", "All", "PythonRuntime:Permisions is not a known key; did you mean Permissions (PythonRuntime:Permissions)?" },
        { "PythonRuntime:FileSystem:Mount:0:Path", "/data", "PythonRuntime:FileSystem:Mount is not a known key; did you mean Mounts (PythonRuntime:FileSystem:Mounts)?" },
        { "PythonRuntime:timeout", "00:00:05", "PythonRuntime:timeout is not a known key; the keys of PythonRuntime are Backend, PythonLibrary, ExecutionTimeout, MemoryLimit, Permissions, NativeExtensions, ModulePaths, VirtualEnvironment, Processes, FileSystem, Isolation, Runtimes." },
    };

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public void AddPythonRuntime_UnknownKey_FailsNamingTheKeyAndTheNearestValidOne(string key, string value, string expected)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/tmp",
            ["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true",
            [key] = value,
        };

        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();

        Assert.Equal([expected], TestHosts.Failures(services.BuildServiceProvider()));
    }

    [Theory]
    [InlineData("PythonRuntime:Permissions:IO", "1", "PythonRuntime:Permissions:IO '1' is a number; write the name instead, one of: None, ReadOnly, All.")]
    [InlineData("PythonRuntime:Backend", "0", "PythonRuntime:Backend '0' is a number; write the name instead, one of: Managed, Native.")]
    [InlineData("PythonRuntime:Permissions:Environment", "1", "PythonRuntime:Permissions:Environment '1' is a number; write the name instead, one of: None, Inherit.")]
    public void AddPythonRuntime_NumericEnumValue_IsRefused(string key, string value, string expected)
    {
        var configuration = new Dictionary<string, string?> { [key] = value };

        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();

        Assert.Equal([expected], TestHosts.Failures(services.BuildServiceProvider()));
    }

    [Theory]
    [InlineData("5", "PythonRuntime:ExecutionTimeout '5' is a bare number, which reads as 5 days; write a time span, such as 00:00:05 for 5 seconds, or 00:00:00 for no limit.")]
    [InlineData("90", "PythonRuntime:ExecutionTimeout '90' is a bare number, which reads as 90 days; write a time span, such as 00:01:30 for 90 seconds, or 00:00:00 for no limit.")]
    [InlineData("2.00:00:00", "PythonRuntime:ExecutionTimeout '2.00:00:00' is more than a day; use a time span such as 00:00:30 (at most 1.00:00:00), or 00:00:00 for no limit.")]
    public void AddPythonRuntime_ImplausibleTimeout_IsRefusedWithTheFix(string value, string expected)
    {
        var configuration = new Dictionary<string, string?> { ["PythonRuntime:ExecutionTimeout"] = value };
        var services = TestHosts.Services(configuration);
        services.AddPythonRuntime();

        Assert.Equal([expected], TestHosts.Failures(services.BuildServiceProvider()));
    }

    [Fact]
    public void Binder_WithoutTheChecks_TakesTheseMistakesSilently()
    {
        // What the checks above stop: a typo that leaves a mount writable, a number that picks an access level, a timeout of days.
        var options = BindWithoutChecks(new()
        {
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data",
            ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = "data",
            ["PythonRuntime:FileSystem:Mounts:0:ReadOnlly"] = "true",
            ["PythonRuntime:Permissions:IO"] = "1",
            ["PythonRuntime:ExecutionTimeout"] = "5",
        });

        Assert.False(Assert.Single(options.FileSystem.Mounts).ReadOnly);
        Assert.Equal(IOAccess.ReadOnly, options.Permissions.IO);
        Assert.Equal(TimeSpan.FromDays(5), options.ExecutionTimeout);
    }

    private static PythonRuntimeOptions BindWithoutChecks(Dictionary<string, string?> configuration)
    {
        var options = new PythonRuntimeOptions();
        new ConfigurationBuilder().AddInMemoryCollection(configuration).Build().GetSection(PythonRuntimeOptions.SectionName).Bind(options);
        return options;
    }
}
