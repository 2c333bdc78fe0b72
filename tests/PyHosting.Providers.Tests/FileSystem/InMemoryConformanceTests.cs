namespace PyHosting.Providers.Tests.FileSystem;

public sealed class InMemoryConformanceTests : PythonFileSystemConformanceTests
{
    protected override IPythonFileSystem FileSystem { get; } = new InMemoryPythonFileSystem();
}
