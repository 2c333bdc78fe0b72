using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>Builds the providers used when the application registers none in code.</summary>
internal static class DefaultPythonProviders
{
    /// <summary>
    /// Builds the mount table of <c>PythonRuntime:FileSystem:Mounts</c>, or an empty in-memory
    /// file system when there are no mounts.
    /// </summary>
    /// <param name="options">Validated options.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to.</param>
    /// <param name="timeProvider">The clock of in-memory file times.</param>
    /// <returns>The file system.</returns>
    public static IPythonFileSystem CreateFileSystem(PythonRuntimeOptions options, string contentRoot, TimeProvider timeProvider)
    {
        var mounts = options.FileSystem.Mounts;
        if (mounts.Count == 0)
        {
            return new InMemoryPythonFileSystem(timeProvider: timeProvider);
        }

        return new MountTablePythonFileSystem(mounts.Select(m => new PythonMount(m.Path, CreateMount(m, contentRoot, timeProvider))));
    }

    /// <summary>
    /// Builds the process provider of <c>PythonRuntime:Processes</c>: deny-all unless
    /// <c>Permissions:CreateProcess</c> is set; then real processes, restricted to
    /// <c>AllowedExecutables</c> when the list is not empty.
    /// </summary>
    /// <param name="options">Validated options.</param>
    /// <returns>The process provider.</returns>
    public static IPythonProcessProvider CreateProcessProvider(PythonRuntimeOptions options)
    {
        if (!options.Permissions.CreateProcess)
        {
            return new DenyAllPythonProcessProvider();
        }

        IPythonProcessProvider provider = new ProcessPythonProcessProvider();
        var allowed = options.Processes.AllowedExecutables;
        return allowed.Count == 0 ? provider : new AllowListPythonProcessProvider(provider, allowed);
    }

    private static IPythonFileSystem CreateMount(PythonMountOptions mount, string contentRoot, TimeProvider timeProvider)
    {
        IPythonFileSystem fileSystem = mount.InMemory
            ? new InMemoryPythonFileSystem(mount.MaxBytes, timeProvider)
            : new PhysicalPythonFileSystem(Path.GetFullPath(mount.HostPath!, contentRoot));
        return mount.ReadOnly ? new ReadOnlyPythonFileSystem(fileSystem) : fileSystem;
    }
}
