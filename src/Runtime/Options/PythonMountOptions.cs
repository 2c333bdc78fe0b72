namespace PyHosting;

/// <summary>One entry of <c>PythonRuntime:FileSystem:Mounts</c>: a directory of the runtime's file system and what serves it.</summary>
public sealed class PythonMountOptions
{
    /// <summary>Gets or sets the absolute path inside the runtime, e.g. <c>/app</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Gets or sets the host directory that serves the mount (relative paths are relative to the content root); unset for <see cref="InMemory"/>.</summary>
    public string? HostPath { get; set; }

    /// <summary>Gets or sets a value indicating whether the mount is read-only, whatever <c>Permissions:IO</c> says.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets a value indicating whether the mount lives in memory (lost at stop).</summary>
    public bool InMemory { get; set; }

    /// <summary>Gets or sets the size limit of an in-memory mount in bytes.</summary>
    /// <value>Defaults to 64 MiB.</value>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;
}
