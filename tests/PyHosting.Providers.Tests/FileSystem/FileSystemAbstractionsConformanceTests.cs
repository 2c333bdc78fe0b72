using System.IO.Abstractions.TestingHelpers;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>The System.IO.Abstractions adapter over a <see cref="MockFileSystem"/>.</summary>
public sealed class FileSystemAbstractionsConformanceTests : PythonFileSystemConformanceTests
{
    public FileSystemAbstractionsConformanceTests()
    {
        var mock = new MockFileSystem();
        mock.Directory.CreateDirectory("/srv/python");
        FileSystem = new FileSystemAbstractionsPythonFileSystem(mock, "/srv/python");
    }

    protected override IPythonFileSystem FileSystem { get; }

    protected override bool SupportsSymbolicLinks => false;

    protected override bool SupportsHardLinks => false;
}
