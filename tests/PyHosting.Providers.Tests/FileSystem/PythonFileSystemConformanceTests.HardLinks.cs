using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>Hard links (<see cref="IPythonFileSystem.CreateHardLink"/>): an optional capability, refused with EPERM where it is absent.</summary>
public abstract partial class PythonFileSystemConformanceTests
{
    /// <summary>Gets a value indicating whether the implementation can create hard links (otherwise it must refuse with EPERM).</summary>
    protected virtual bool SupportsHardLinks => true;

    [Fact]
    public void HardLink_BothNamesShareContentAndTheLinkCount()
    {
        FileSystem.WriteText(P("a"), "one");
        if (!SupportsHardLinks)
        {
            ErrnoAssert.Throws(Errno.EPERM, () => FileSystem.CreateHardLink(P("a"), P("b")));
            Assert.Null(FileSystem.GetStatus(P("b"), followSymbolicLinks: false));
            return;
        }

        FileSystem.CreateHardLink(P("a"), P("b"));
        FileSystem.WriteText(P("b"), "two", PythonOpenFlags.Write | PythonOpenFlags.Truncate);

        Assert.Equal("two", FileSystem.ReadText(P("a")));
        var a = FileSystem.GetStatus(P("a"))!;
        var b = FileSystem.GetStatus(P("b"))!;
        Assert.Equal(2, a.LinkCount);
        Assert.Equal(2, b.LinkCount);
        Assert.Equal(a.Inode, b.Inode);
        Assert.Contains(new PythonDirectoryEntry("b", PythonFileKind.File), FileSystem.ReadDirectory(Root));
    }

    [Fact]
    public void HardLink_DeletingOneName_KeepsTheOther()
    {
        if (!SupportsHardLinks)
        {
            return;
        }

        FileSystem.WriteText(P("a"), "kept");
        FileSystem.CreateHardLink(P("a"), P("b"));

        FileSystem.DeleteFile(P("a"));

        Assert.Null(FileSystem.GetStatus(P("a")));
        Assert.Equal("kept", FileSystem.ReadText(P("b")));
        Assert.Equal(1, FileSystem.GetStatus(P("b"))!.LinkCount);
    }

    [Fact]
    public void HardLink_Errors_NameTheErrno()
    {
        if (!SupportsHardLinks)
        {
            return;
        }

        FileSystem.WriteText(P("a"), "x");
        FileSystem.WriteText(P("b"), "y");
        FileSystem.CreateDirectory(P("d"));

        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.CreateHardLink(P("a"), P("b")));
        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.CreateHardLink(P("a"), P("d")));
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.CreateHardLink(P("missing"), P("c")));
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.CreateHardLink(P("a"), P("nodir/c")));
        ErrnoAssert.Throws(Errno.EPERM, () => FileSystem.CreateHardLink(P("d"), P("e")));
        Assert.Equal("y", FileSystem.ReadText(P("b")));
        Assert.Null(FileSystem.GetStatus(P("e"), followSymbolicLinks: false));
    }

    [Fact]
    public void HardLink_ToASymbolicLink_LinksTheLinkItself()
    {
        if (!SupportsHardLinks || !SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.WriteText(P("target"), "t");
        FileSystem.CreateSymbolicLink(P("link"), "target");

        FileSystem.CreateHardLink(P("link"), P("second"));

        Assert.Equal(PythonFileKind.SymbolicLink, FileSystem.GetStatus(P("second"), followSymbolicLinks: false)!.Kind);
        Assert.Equal("target", FileSystem.ReadSymbolicLink(P("second")));
        Assert.Equal(1, FileSystem.GetStatus(P("target"))!.LinkCount);
    }
}
