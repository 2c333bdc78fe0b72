using Moq;
using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

public sealed class MountTablePythonFileSystemTests
{
    private readonly InMemoryPythonFileSystem _data = new();
    private readonly InMemoryPythonFileSystem _cache = new();
    private readonly MountTablePythonFileSystem _table;

    public MountTablePythonFileSystemTests()
    {
        _table = new MountTablePythonFileSystem(new PythonMount("/data", _data), new PythonMount("/mnt/cache", _cache));
    }

    [Fact]
    public void ReadDirectory_RootAndAncestors_ListMountPointsAsDirectories()
    {
        Assert.Equal(
            [new("data", PythonFileKind.Directory), new("mnt", PythonFileKind.Directory)],
            _table.ReadDirectory("/").OrderBy(e => e.Name, StringComparer.Ordinal));
        Assert.Equal([new PythonDirectoryEntry("cache", PythonFileKind.Directory)], _table.ReadDirectory("/mnt"));
        var status = _table.GetStatus("/mnt")!;
        Assert.Equal(PythonFileKind.Directory, status.Kind);
        Assert.Equal(0x16D, status.Mode);
    }

    [Fact]
    public void CreateHardLink_WithinOneMount_IsMadeByThatMount()
    {
        _table.WriteText("/data/a", "shared");

        _table.CreateHardLink("/data/a", "/data/b");

        Assert.Equal(2, _data.GetStatus("/b")!.LinkCount);
        Assert.Equal("shared", _data.ReadText("/b"));
    }

    [Fact]
    public void CreateHardLink_AcrossMountsOrOnStructure_IsRefused()
    {
        _table.WriteText("/data/a", "x");

        ErrnoAssert.Throws(Errno.EXDEV, () => _table.CreateHardLink("/data/a", "/mnt/cache/a"));
        ErrnoAssert.Throws(Errno.EROFS, () => _table.CreateHardLink("/data/a", "/mnt/a"));
        ErrnoAssert.Throws(Errno.EEXIST, () => _table.CreateHardLink("/data/a", "/mnt/cache"));
        ErrnoAssert.Throws(Errno.EPERM, () => _table.CreateHardLink("/mnt", "/data/m"));
        Assert.Null(_cache.GetStatus("/a"));
        Assert.Null(_data.GetStatus("/m"));
    }

    [Fact]
    public void CreateHardLink_InAReadOnlyMount_ThrowsErofs()
    {
        var inner = new InMemoryPythonFileSystem();
        inner.WriteText("/a", "x");
        var table = new MountTablePythonFileSystem(new PythonMount("/ro", new ReadOnlyPythonFileSystem(inner)));

        ErrnoAssert.Throws(Errno.EROFS, () => table.CreateHardLink("/ro/a", "/ro/b"));
        Assert.Null(inner.GetStatus("/b"));
        Assert.Equal(1, inner.GetStatus("/a")!.LinkCount);
    }

    [Fact]
    public void Paths_BelowAMount_AreReRootedForTheMountedFileSystem()
    {
        _table.CreateDirectory("/data/sub");
        _table.WriteText("/data/sub/f", "content");

        Assert.Equal("content", _data.ReadText("/sub/f"));
        Assert.Null(_cache.GetStatus("/sub"));
        Assert.Equal([new PythonDirectoryEntry("f", PythonFileKind.File)], _table.ReadDirectory("/data/sub"));
    }

    [Fact]
    public void Find_NestedMounts_UsesTheLongestPrefix()
    {
        var root = new InMemoryPythonFileSystem();
        var inner = new InMemoryPythonFileSystem();
        var table = new MountTablePythonFileSystem(new PythonMount("/", root), new PythonMount("/a/b", inner));
        root.CreateDirectory("/a");
        root.WriteText("/a/other", "root");

        table.WriteText("/a/b/f", "inner");

        Assert.Equal("inner", inner.ReadText("/f"));
        Assert.Equal("root", table.ReadText("/a/other"));
        var names = table.ReadDirectory("/a").Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["b", "other"], names);
    }

    [Fact]
    public void UnmappedPath_DoesNotExist()
    {
        Assert.Null(_table.GetStatus("/elsewhere"));
        Assert.Throws<FileNotFoundException>(() => _table.Open("/elsewhere", PythonOpenFlags.Read));
        ErrnoAssert.Throws(Errno.ENOENT, () => _table.ReadDirectory("/elsewhere"));
        ErrnoAssert.Throws(Errno.ENOENT, () => _table.DeleteFile("/elsewhere"));
    }

    [Fact]
    public void Create_InASynthesisedDirectory_ThrowsErofs()
    {
        ErrnoAssert.Throws(Errno.EROFS, () => _table.Open("/new", PythonOpenFlags.Write | PythonOpenFlags.Create));
        ErrnoAssert.Throws(Errno.EROFS, () => _table.CreateDirectory("/mnt/new"));
        ErrnoAssert.Throws(Errno.EEXIST, () => _table.CreateDirectory("/mnt"));
    }

    [Fact]
    public void Rename_AcrossMounts_ThrowsExdev()
    {
        _table.WriteText("/data/f", "x");

        ErrnoAssert.Throws(Errno.EXDEV, () => _table.Rename("/data/f", "/mnt/cache/f"));
        Assert.Equal("x", _data.ReadText("/f"));
    }

    [Fact]
    public void Rename_WithinAMount_DelegatesWithReRootedPaths()
    {
        _table.WriteText("/mnt/cache/a", "x");

        _table.Rename("/mnt/cache/a", "/mnt/cache/b");

        Assert.Equal("x", _cache.ReadText("/b"));
    }

    [Fact]
    public void DeleteOrRename_AMountPointOrAnAncestor_ThrowsEbusy()
    {
        ErrnoAssert.Throws(Errno.EBUSY, () => _table.DeleteDirectory("/data"));
        ErrnoAssert.Throws(Errno.EBUSY, () => _table.DeleteDirectory("/mnt"));
        ErrnoAssert.Throws(Errno.EBUSY, () => _table.Rename("/mnt/cache", "/mnt/other"));
        ErrnoAssert.Throws(Errno.EBUSY, () => _table.Rename("/data", "/mnt/cache/data"));
        Assert.NotNull(_table.GetStatus("/data"));
    }

    [Fact]
    public void SymbolicLinkTexts_AreReturnedUnchanged()
    {
        _data.CreateSymbolicLink("/link", "/absolute/in/the/mount");

        Assert.Equal("/absolute/in/the/mount", _table.ReadSymbolicLink("/data/link"));
    }

    [Fact]
    public void InnerFileSystem_ReceivesReRootedPathsForEveryOperation()
    {
        var inner = new Mock<IPythonFileSystem>();
        inner.Setup(f => f.GetStatus("/", It.IsAny<bool>())).Returns(new PythonFileStatus(PythonFileKind.Directory, 0, 0x1ED, default, default, default));
        inner.Setup(f => f.GetStatus("/a/b", It.IsAny<bool>())).Returns(new PythonFileStatus(PythonFileKind.File, 0, 0x1A4, default, default, default));
        inner.Setup(f => f.GetHostPath("/a/b")).Returns("/host/a/b");
        var table = new MountTablePythonFileSystem(new PythonMount("/m", inner.Object));

        Assert.Equal("/host/a/b", table.GetHostPath("/m/a/b"));
        table.SetMode("/m/a/b", 0x180, followSymbolicLinks: false);
        table.SetTimes("/m/a/b", DateTimeOffset.UnixEpoch, null);
        table.DeleteFile("/m/a/b");

        inner.Verify(f => f.SetMode("/a/b", 0x180, false));
        inner.Verify(f => f.SetTimes("/a/b", DateTimeOffset.UnixEpoch, null, true));
        inner.Verify(f => f.DeleteFile("/a/b"));
        Assert.Null(table.GetHostPath("/elsewhere"));
    }

    [Fact]
    public void Constructor_InvalidOrDuplicateMountPaths_Throw()
    {
        Assert.Throws<ArgumentException>(() => new MountTablePythonFileSystem(new PythonMount("data", _data)));
        Assert.Throws<ArgumentException>(() => new MountTablePythonFileSystem(new PythonMount("/data/", _data)));
        Assert.Throws<ArgumentException>(() => new MountTablePythonFileSystem(new PythonMount("/d", _data), new PythonMount("/d", _cache)));
    }

    [Fact]
    public void EmptyTable_HasOnlyAnEmptyRoot()
    {
        var table = new MountTablePythonFileSystem([]);

        Assert.Equal(PythonFileKind.Directory, table.GetStatus("/")!.Kind);
        Assert.Empty(table.ReadDirectory("/"));
    }
}
