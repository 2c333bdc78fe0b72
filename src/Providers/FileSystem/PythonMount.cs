namespace PyHosting.Providers;

/// <summary>One entry of a <see cref="MountTablePythonFileSystem"/>: a file system mounted at a path.</summary>
/// <param name="Path">The mount point: an absolute, normalised path (<c>/</c> for the root).</param>
/// <param name="FileSystem">The mounted file system; it sees the mount point as its own root <c>/</c>.</param>
public sealed record PythonMount(string Path, IPythonFileSystem FileSystem);
