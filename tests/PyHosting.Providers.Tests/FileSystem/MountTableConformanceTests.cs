using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>The mount table, working in an in-memory file system mounted at <c>/</c>, with a physical one mounted beside it.</summary>
public sealed class MountTableOverInMemoryConformanceTests : PythonFileSystemConformanceTests
{
    private readonly TempDirectory _directory = new();
    private readonly PhysicalPythonFileSystem _physical;

    public MountTableOverInMemoryConformanceTests()
    {
        _physical = new PhysicalPythonFileSystem(_directory.Path);
        FileSystem = new MountTablePythonFileSystem(new PythonMount("/", new InMemoryPythonFileSystem()), new PythonMount("/disk", _physical));
    }

    protected override IPythonFileSystem FileSystem { get; }

    protected override void Dispose(bool disposing)
    {
        _physical.Dispose();
        _directory.Dispose();
    }
}

/// <summary>The mount table, working in a physical file system mounted at <c>/mnt/disk</c>.</summary>
public sealed class MountTableOverPhysicalConformanceTests : PythonFileSystemConformanceTests
{
    private readonly TempDirectory _directory = new();
    private readonly PhysicalPythonFileSystem _physical;

    public MountTableOverPhysicalConformanceTests()
    {
        _physical = new PhysicalPythonFileSystem(_directory.Path);
        FileSystem = new MountTablePythonFileSystem(new PythonMount("/", new InMemoryPythonFileSystem()), new PythonMount("/mnt/disk", _physical));
    }

    protected override IPythonFileSystem FileSystem { get; }

    protected override string Root => "/mnt/disk";

    protected override void Dispose(bool disposing)
    {
        _physical.Dispose();
        _directory.Dispose();
    }
}
