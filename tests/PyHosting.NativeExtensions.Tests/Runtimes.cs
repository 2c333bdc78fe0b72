using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>Configurations of the hosts under test, as command-line keys of PyHosting.TestHost.</summary>
internal static class Runtimes
{
    /// <summary>Where the compiled extensions appear in a Managed runtime's file system.</summary>
    public const string ExtensionMount = "/ext";

    /// <summary>The three permissions a native extension requires.</summary>
    public static readonly KeyValuePair<string, string?>[] ExtensionPermissions =
    [
        new("PythonRuntime:Permissions:IO", "All"),
        new("PythonRuntime:Permissions:CreateThread", "true"),
        new("PythonRuntime:Permissions:NativeAccess", "true"),
    ];

    /// <summary>A Managed runtime with <paramref name="directory"/> mounted read-only at <see cref="ExtensionMount"/> and listed in ModulePaths.</summary>
    public static Dictionary<string, string?> ManagedWithExtensionMount(string directory, IEnumerable<KeyValuePair<string, string?>> permissions, params string[] registered)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["PythonRuntime:Backend"] = "Managed",
            ["PythonRuntime:ModulePaths:0"] = ExtensionMount,
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = ExtensionMount,
            ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = directory,
            ["PythonRuntime:FileSystem:Mounts:0:ReadOnly"] = "true",
            ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/mem",
            ["PythonRuntime:FileSystem:Mounts:1:InMemory"] = "true",
        };
        Add(configuration, permissions);
        Register(configuration, registered);
        return configuration;
    }

    /// <summary>A Managed runtime with the extension permissions, no mounts, and <paramref name="registered"/>.</summary>
    public static Dictionary<string, string?> Managed(params string[] registered)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["PythonRuntime:Backend"] = "Managed" };
        Add(configuration, ExtensionPermissions);
        Register(configuration, registered);
        return configuration;
    }

    /// <summary>A Native runtime with the extension permissions, <paramref name="directory"/> as its module path, and <paramref name="registered"/>.</summary>
    public static Dictionary<string, string?> Native(string directory, params string[] registered)
    {
        var configuration = PythonProcess.Native([.. ExtensionPermissions, new("PythonRuntime:ModulePaths:0", directory)]);
        Register(configuration, registered);
        return configuration;
    }

    private static void Add(Dictionary<string, string?> configuration, IEnumerable<KeyValuePair<string, string?>> entries)
    {
        foreach (var (key, value) in entries)
        {
            configuration[key] = value;
        }
    }

    private static void Register(Dictionary<string, string?> configuration, string[] registered)
    {
        for (var i = 0; i < registered.Length; i++)
        {
            configuration[$"PythonRuntime:NativeExtensions:{i}"] = registered[i];
        }
    }
}

/// <summary>One TestHost process per test class, started after the extensions are compiled.</summary>
public abstract class RuntimeFixture : IAsyncLifetime
{
    private PythonProcess? _process;

    public PythonProcess Python => _process ?? throw new InvalidOperationException("The fixture has not started.");

    internal CompiledExtensions Extensions { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Extensions = await CompiledExtensions.GetAsync();
        _process = await PythonProcess.StartAsync(Configure(Extensions));
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    internal abstract Dictionary<string, string?> Configure(CompiledExtensions extensions);
}
