using PyHosting.Providers;

namespace PyHosting.Hosting.Tests;

/// <summary>A user file system (a type the DI container creates).</summary>
public sealed class TestFileSystem : PythonFileSystemBase
{
    public override PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => null;

    public override Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6) => throw new FileNotFoundException(path);

    public override IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => [];
}

/// <summary>A user process provider (a type the DI container creates).</summary>
public sealed class TestProcessProvider : IPythonProcessProvider
{
    public IPythonProcess Start(PythonProcessStartInfo startInfo) => throw new UnauthorizedAccessException();
}
