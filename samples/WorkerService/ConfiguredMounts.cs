using PyHosting.Providers;

namespace PyHosting.Samples.WorkerService;

/// <summary>Builds the mount table of <c>PythonRuntime:FileSystem:Mounts</c> from the stock providers, as the default registration does.</summary>
internal static class ConfiguredMounts
{
    /// <summary>Creates the mount table.</summary>
    /// <param name="options">The validated file-system options.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to.</param>
    /// <param name="timeProvider">The clock of in-memory file times.</param>
    /// <returns>The file system.</returns>
    public static IPythonFileSystem Create(PythonFileSystemOptions options, string contentRoot, TimeProvider timeProvider) =>
        new MountTablePythonFileSystem(options.Mounts.Select(mount => new PythonMount(mount.Path, CreateMount(mount, contentRoot, timeProvider))));

    private static IPythonFileSystem CreateMount(PythonMountOptions mount, string contentRoot, TimeProvider timeProvider)
    {
        IPythonFileSystem fileSystem = mount.InMemory
            ? new InMemoryPythonFileSystem(mount.MaxBytes, timeProvider)
            : new PhysicalPythonFileSystem(Path.GetFullPath(mount.HostPath!, contentRoot));
        return mount.ReadOnly ? new ReadOnlyPythonFileSystem(fileSystem) : fileSystem;
    }
}
