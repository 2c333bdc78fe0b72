namespace PyHosting;

/// <summary>The Managed backend's file system (<c>PythonRuntime:FileSystem</c>).</summary>
public sealed class PythonFileSystemOptions
{
    /// <summary>Gets or sets the initial emulated working directory.</summary>
    /// <value>Defaults to <c>/</c>.</value>
    public string WorkingDirectory { get; set; } = "/";

    /// <summary>Gets the mount table used when no <c>IPythonFileSystem</c> is registered in code.</summary>
    public IList<PythonMountOptions> Mounts { get; } = [];
}
