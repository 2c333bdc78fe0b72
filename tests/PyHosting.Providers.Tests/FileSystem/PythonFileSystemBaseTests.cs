using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

public sealed class PythonFileSystemBaseTests
{
    private readonly OneFileSystem _fileSystem = new();

    [Fact]
    public void Subclass_OverridingReads_ServesThemAndRefusesMutationsWithErofs()
    {
        Assert.Equal("hello", _fileSystem.ReadText("/hello.txt"));
        Assert.Equal([new PythonDirectoryEntry("hello.txt", PythonFileKind.File)], _fileSystem.ReadDirectory("/"));
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.Open("/hello.txt", PythonOpenFlags.Write));
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.CreateDirectory("/d"));
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.DeleteFile("/hello.txt"));
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.Rename("/hello.txt", "/x"));
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.SetMode("/hello.txt", 0x1FF));
        Assert.Null(_fileSystem.GetHostPath("/hello.txt"));
    }

    [Fact]
    public void Defaults_DeriveTheirErrorsFromGetStatus()
    {
        ErrnoAssert.Throws(Errno.EINVAL, () => _fileSystem.ReadSymbolicLink("/hello.txt"));
        ErrnoAssert.Throws(Errno.ENOENT, () => _fileSystem.ReadSymbolicLink("/missing"));
        ErrnoAssert.Throws(Errno.EISDIR, () => _fileSystem.Open("/", PythonOpenFlags.Read));
        Assert.Throws<FileNotFoundException>(() => _fileSystem.Open("/missing", PythonOpenFlags.Read));
    }

    [Fact]
    public void Defaults_WithNothingOverridden_ThrowEnosys()
    {
        var empty = new EmptyFileSystem();

        ErrnoAssert.Throws(Errno.ENOSYS, () => empty.GetStatus("/"));
        Assert.Throws<ArgumentException>(() => empty.GetStatus("not/absolute"));
    }

    private sealed class EmptyFileSystem : PythonFileSystemBase;

    /// <summary>The example of the docs: a virtual, read-only file system with one file.</summary>
    private sealed class OneFileSystem : PythonFileSystemBase
    {
        public override PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => path switch
        {
            "/" => new(PythonFileKind.Directory, 0, 0x16D, default, default, default),
            "/hello.txt" => new(PythonFileKind.File, 5, 0x124, default, default, default),
            _ => null,
        };

        public override Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
            => path == "/hello.txt" && !RequestsWrite(flags) ? new MemoryStream("hello"u8.ToArray(), writable: false) : base.Open(path, flags, mode);

        public override IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
            => path == "/" ? [new("hello.txt", PythonFileKind.File)] : base.ReadDirectory(path);
    }
}
