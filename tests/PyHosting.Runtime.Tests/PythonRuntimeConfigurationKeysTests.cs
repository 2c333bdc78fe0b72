using PyHosting.Internal.Managed;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests;

public sealed class PythonRuntimeConfigurationKeysTests
{
    public static TheoryData<string, string> KeysSpelledElsewhere => new()
    {
        // The providers sit below the runtime and cannot reference the keys; their public constants must agree.
        { DenyAllPythonProcessProvider.PermissionKey, PythonRuntimeConfigurationKeys.CreateProcess },
        { AllowListPythonProcessProvider.ConfigurationKey, PythonRuntimeConfigurationKeys.AllowedExecutables },
        { ManagedBackend.IOKey, PythonRuntimeConfigurationKeys.IO },
        { ManagedBackend.HostSocketsKey, PythonRuntimeConfigurationKeys.HostSockets },
    };

    [Theory]
    [MemberData(nameof(KeysSpelledElsewhere))]
    public void KeysSpelledElsewhere_MatchTheKeys(string spelledElsewhere, string key) => Assert.Equal(key, spelledElsewhere);

    [Theory]
    [InlineData(PythonRuntimeConfigurationKeys.Backend, nameof(PythonRuntimeOptions.Backend))]
    [InlineData(PythonRuntimeConfigurationKeys.IO, nameof(PythonRuntimeOptions.Permissions), nameof(PythonPermissions.IO))]
    [InlineData(PythonRuntimeConfigurationKeys.EnvironmentVariables, nameof(PythonRuntimeOptions.Permissions), nameof(PythonPermissions.EnvironmentVariables))]
    [InlineData(PythonRuntimeConfigurationKeys.AllowedExecutables, nameof(PythonRuntimeOptions.Processes), nameof(PythonProcessOptions.AllowedExecutables))]
    [InlineData(PythonRuntimeConfigurationKeys.Mounts, nameof(PythonRuntimeOptions.FileSystem), nameof(PythonFileSystemOptions.Mounts))]
    public void Keys_FollowThePropertyPath(string key, params string[] path) =>
        Assert.Equal(string.Join(':', [PythonRuntimeOptions.SectionName, .. path]), key);
}
