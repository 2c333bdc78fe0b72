using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>
/// The <see cref="IPythonFileSystem"/> contract, for writable implementations. Each implementation
/// subclasses this class; every test works below <see cref="Root"/> in a fresh file system.
/// </summary>
public abstract partial class PythonFileSystemConformanceTests : IDisposable
{
    /// <summary>Gets the file system under test (a fresh one per test).</summary>
    protected abstract IPythonFileSystem FileSystem { get; }

    /// <summary>Gets the existing, empty directory that the tests work in.</summary>
    protected virtual string Root => "/";

    /// <summary>Gets a value indicating whether the implementation can create symbolic links (otherwise it must refuse with EPERM).</summary>
    protected virtual bool SupportsSymbolicLinks => true;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected string P(string relative) => Root == "/" ? "/" + relative : Root + "/" + relative;

    [Fact]
    public void Open_CreateNewFile_WritesAndReadsBack()
    {
        FileSystem.WriteText(P("f.txt"), "hello");

        Assert.Equal("hello", FileSystem.ReadText(P("f.txt")));
        var status = FileSystem.GetStatus(P("f.txt"));
        Assert.NotNull(status);
        Assert.Equal(PythonFileKind.File, status.Kind);
        Assert.Equal(5, status.Size);
    }

    [Fact]
    public void Open_Append_WritesAtTheEnd()
    {
        FileSystem.WriteText(P("log"), "one;");

        FileSystem.WriteText(P("log"), "two;", PythonOpenFlags.Write | PythonOpenFlags.Append);

        Assert.Equal("one;two;", FileSystem.ReadText(P("log")));
    }

    [Fact]
    public void Open_AppendAfterSeek_StillWritesAtTheEnd()
    {
        FileSystem.WriteText(P("log"), "abc");

        using (var stream = FileSystem.Open(P("log"), PythonOpenFlags.Write | PythonOpenFlags.Append))
        {
            stream.Write("d"u8);
            stream.Seek(0, SeekOrigin.Begin);
            stream.Write("e"u8);
        }

        Assert.Equal("abcde", FileSystem.ReadText(P("log")));
    }

    [Fact]
    public void Open_Truncate_EmptiesExistingFile()
    {
        FileSystem.WriteText(P("f"), "long content");

        FileSystem.WriteText(P("f"), "new", PythonOpenFlags.Write | PythonOpenFlags.Truncate);

        Assert.Equal("new", FileSystem.ReadText(P("f")));
        Assert.Equal(3, FileSystem.GetStatus(P("f"))!.Size);
    }

    [Fact]
    public void Open_WithoutTruncate_OverwritesInPlace()
    {
        FileSystem.WriteText(P("f"), "abcdef");

        FileSystem.WriteText(P("f"), "XY", PythonOpenFlags.Write);

        Assert.Equal("XYcdef", FileSystem.ReadText(P("f")));
    }

    [Fact]
    public void Open_ExclusiveOnExistingFile_ThrowsEexist()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.Open(P("f"), PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Exclusive).Dispose());
        Assert.Equal("x", FileSystem.ReadText(P("f")));
    }

    [Fact]
    public void Open_ExclusiveOnMissingFile_CreatesIt()
    {
        using (var stream = FileSystem.Open(P("new"), PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Exclusive))
        {
            stream.Write("1"u8);
        }

        Assert.Equal("1", FileSystem.ReadText(P("new")));
    }

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => FileSystem.Open(P("missing"), PythonOpenFlags.Read));
    }

    [Fact]
    public void Open_CreateInMissingDirectory_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.Open(P("nodir/f"), PythonOpenFlags.Write | PythonOpenFlags.Create));
    }

    [Fact]
    public void Open_Directory_ThrowsEisdir()
    {
        FileSystem.CreateDirectory(P("d"));

        ErrnoAssert.Throws(Errno.EISDIR, () => FileSystem.Open(P("d"), PythonOpenFlags.Write));
    }

    [Fact]
    public void Open_BelowAFile_ThrowsEnotdir()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.Open(P("f/g"), PythonOpenFlags.Write | PythonOpenFlags.Create));
    }

    [Fact]
    public void Open_ReadWrite_StreamSeeksReadsAndWrites()
    {
        FileSystem.WriteText(P("f"), "hello world");

        using (var stream = FileSystem.Open(P("f"), PythonOpenFlags.ReadWrite))
        {
            Assert.True(stream.CanSeek);
            stream.Seek(6, SeekOrigin.Begin);
            Assert.Equal("world", stream.ReadToEnd());
            stream.Seek(0, SeekOrigin.Begin);
            stream.Write("HELLO"u8);
        }

        Assert.Equal("HELLO world", FileSystem.ReadText(P("f")));
    }

    [Fact]
    public void Open_NewFile_HasTheRequestedMode()
    {
        FileSystem.Open(P("f"), PythonOpenFlags.Write | PythonOpenFlags.Create, mode: 0x1A0).Dispose();

        Assert.Equal(0x1A0, FileSystem.GetStatus(P("f"))!.Mode);
    }

    [Fact]
    public void GetStatus_MissingEntry_ReturnsNull()
    {
        Assert.Null(FileSystem.GetStatus(P("missing")));
        Assert.Null(FileSystem.GetStatus(P("missing"), followSymbolicLinks: false));
        Assert.Null(FileSystem.GetStatus(P("missing/deeper")));
    }

    [Fact]
    public void GetStatus_BelowAFile_ThrowsEnotdir()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.GetStatus(P("f/g")));
    }

    [Fact]
    public void CreateDirectory_NewDirectory_IsListedAsDirectory()
    {
        FileSystem.CreateDirectory(P("d"), 0x1C0);

        var status = FileSystem.GetStatus(P("d"));
        Assert.NotNull(status);
        Assert.Equal(PythonFileKind.Directory, status.Kind);
        Assert.Equal(0x1C0, status.Mode);
        Assert.Contains(new PythonDirectoryEntry("d", PythonFileKind.Directory), FileSystem.ReadDirectory(Root));
    }

    [Fact]
    public void CreateDirectory_ExistingEntry_ThrowsEexist()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.CreateDirectory(P("d")));
        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.CreateDirectory(P("f")));
    }

    [Fact]
    public void CreateDirectory_MissingParent_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.CreateDirectory(P("a/b")));
    }

    [Fact]
    public void CreateDirectory_BelowAFile_ThrowsEnotdir()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.CreateDirectory(P("f/d")));
    }

    [Fact]
    public void DeleteDirectory_EmptyDirectory_RemovesIt()
    {
        FileSystem.CreateDirectory(P("d"));

        FileSystem.DeleteDirectory(P("d"));

        Assert.Null(FileSystem.GetStatus(P("d")));
    }

    [Fact]
    public void DeleteDirectory_NonEmptyDirectory_ThrowsEnotempty()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.WriteText(P("d/f"), "x");

        ErrnoAssert.Throws(Errno.ENOTEMPTY, () => FileSystem.DeleteDirectory(P("d")));
        Assert.NotNull(FileSystem.GetStatus(P("d/f")));
    }

    [Fact]
    public void DeleteDirectory_File_ThrowsEnotdir()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.DeleteDirectory(P("f")));
    }

    [Fact]
    public void DeleteDirectory_Missing_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.DeleteDirectory(P("missing")));
    }

    [Fact]
    public void DeleteFile_ExistingFile_RemovesIt()
    {
        FileSystem.WriteText(P("f"), "x");

        FileSystem.DeleteFile(P("f"));

        Assert.Null(FileSystem.GetStatus(P("f")));
        Assert.DoesNotContain(FileSystem.ReadDirectory(Root), e => e.Name == "f");
    }

    [Fact]
    public void DeleteFile_Missing_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.DeleteFile(P("missing")));
    }

    [Fact]
    public void DeleteFile_Directory_ThrowsEisdir()
    {
        FileSystem.CreateDirectory(P("d"));

        ErrnoAssert.Throws(Errno.EISDIR, () => FileSystem.DeleteFile(P("d")));
    }

    [Fact]
    public void ReadDirectory_MixedEntries_ListsNamesAndKinds()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.CreateDirectory(P("d/sub"));
        FileSystem.WriteText(P("d/a.txt"), "a");
        FileSystem.WriteText(P("d/sub/deep.txt"), "b");

        var entries = FileSystem.ReadDirectory(P("d")).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();

        Assert.Equal([new("a.txt", PythonFileKind.File), new("sub", PythonFileKind.Directory)], entries);
    }

    [Fact]
    public void ReadDirectory_File_ThrowsEnotdir()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.ReadDirectory(P("f")));
    }

    [Fact]
    public void ReadDirectory_Missing_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.ReadDirectory(P("missing")));
    }
}
