using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <content>Rename, symbolic links, times and modes.</content>
public abstract partial class PythonFileSystemConformanceTests
{
    [Fact]
    public void Rename_FileOverExistingFile_ReplacesIt()
    {
        FileSystem.WriteText(P("a"), "new");
        FileSystem.WriteText(P("b"), "old");

        FileSystem.Rename(P("a"), P("b"));

        Assert.Null(FileSystem.GetStatus(P("a")));
        Assert.Equal("new", FileSystem.ReadText(P("b")));
    }

    [Fact]
    public void Rename_WithoutReplaceOverExisting_ThrowsEexist()
    {
        FileSystem.WriteText(P("a"), "a");
        FileSystem.WriteText(P("b"), "b");

        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.Rename(P("a"), P("b"), replace: false));
        Assert.Equal("a", FileSystem.ReadText(P("a")));
        Assert.Equal("b", FileSystem.ReadText(P("b")));
    }

    [Fact]
    public void Rename_WithoutReplaceToNewName_Moves()
    {
        FileSystem.WriteText(P("a"), "a");

        FileSystem.Rename(P("a"), P("c"), replace: false);

        Assert.Equal("a", FileSystem.ReadText(P("c")));
    }

    [Fact]
    public void Rename_Directory_MovesItsContents()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.CreateDirectory(P("target"));
        FileSystem.WriteText(P("d/f"), "inside");

        FileSystem.Rename(P("d"), P("target/moved"));

        Assert.Null(FileSystem.GetStatus(P("d")));
        Assert.Equal("inside", FileSystem.ReadText(P("target/moved/f")));
    }

    [Fact]
    public void Rename_DirectoryOverEmptyDirectory_ReplacesIt()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.WriteText(P("d/f"), "x");
        FileSystem.CreateDirectory(P("empty"));

        FileSystem.Rename(P("d"), P("empty"));

        Assert.Equal("x", FileSystem.ReadText(P("empty/f")));
    }

    [Fact]
    public void Rename_DirectoryOverNonEmptyDirectory_ThrowsEnotempty()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.CreateDirectory(P("full"));
        FileSystem.WriteText(P("full/f"), "x");

        var exception = Record.Exception(() => FileSystem.Rename(P("d"), P("full")));

        // POSIX allows EEXIST as well as ENOTEMPTY here.
        Assert.NotNull(exception);
        Assert.Contains(ErrnoAssert.ErrnoOf(exception), new[] { Errno.ENOTEMPTY, Errno.EEXIST });
    }

    [Fact]
    public void Rename_DirectoryOverFile_ThrowsEnotdir()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.ENOTDIR, () => FileSystem.Rename(P("d"), P("f")));
    }

    [Fact]
    public void Rename_FileOverDirectory_ThrowsEisdir()
    {
        FileSystem.CreateDirectory(P("d"));
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.EISDIR, () => FileSystem.Rename(P("f"), P("d")));
    }

    [Fact]
    public void Rename_DirectoryIntoItself_ThrowsEinval()
    {
        FileSystem.CreateDirectory(P("d"));

        ErrnoAssert.Throws(Errno.EINVAL, () => FileSystem.Rename(P("d"), P("d/inner")));
    }

    [Fact]
    public void Rename_MissingSource_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.Rename(P("missing"), P("other")));
    }

    [Fact]
    public void SymbolicLink_Create_StoresTextAsGiven()
    {
        if (!SupportsSymbolicLinks)
        {
            ErrnoAssert.Throws(Errno.EPERM, () => FileSystem.CreateSymbolicLink(P("link"), "target"));
            Assert.Null(FileSystem.GetStatus(P("link"), followSymbolicLinks: false));
            return;
        }

        FileSystem.CreateSymbolicLink(P("rel"), "../some/where");
        FileSystem.CreateSymbolicLink(P("abs"), "/absolute/path");

        Assert.Equal("../some/where", FileSystem.ReadSymbolicLink(P("rel")));
        Assert.Equal("/absolute/path", FileSystem.ReadSymbolicLink(P("abs")));
    }

    [Fact]
    public void SymbolicLink_StatFollowsAndLstatDoesNot()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.WriteText(P("target"), "12345");
        FileSystem.CreateSymbolicLink(P("link"), "target");

        var followed = FileSystem.GetStatus(P("link"));
        var notFollowed = FileSystem.GetStatus(P("link"), followSymbolicLinks: false);

        Assert.Equal(PythonFileKind.File, followed!.Kind);
        Assert.Equal(5, followed.Size);
        Assert.Equal(PythonFileKind.SymbolicLink, notFollowed!.Kind);
        Assert.Equal("target".Length, notFollowed.Size);
        Assert.Contains(new PythonDirectoryEntry("link", PythonFileKind.SymbolicLink), FileSystem.ReadDirectory(Root));
    }

    [Fact]
    public void SymbolicLink_OpenAndListThroughLinks_FollowsThem()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.CreateDirectory(P("real"));
        FileSystem.WriteText(P("real/f"), "via link");
        FileSystem.CreateSymbolicLink(P("dirlink"), "real");
        FileSystem.CreateSymbolicLink(P("real/up"), "../real/f");

        Assert.Equal("via link", FileSystem.ReadText(P("dirlink/f")));
        Assert.Equal("via link", FileSystem.ReadText(P("dirlink/up")));
        Assert.Contains(new PythonDirectoryEntry("f", PythonFileKind.File), FileSystem.ReadDirectory(P("dirlink")));
    }

    [Fact]
    public void SymbolicLink_Dangling_StatIsNullAndLstatIsLink()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.CreateSymbolicLink(P("dangling"), "nowhere");

        Assert.Null(FileSystem.GetStatus(P("dangling")));
        Assert.Equal(PythonFileKind.SymbolicLink, FileSystem.GetStatus(P("dangling"), followSymbolicLinks: false)!.Kind);
        Assert.Throws<FileNotFoundException>(() => FileSystem.Open(P("dangling"), PythonOpenFlags.Read));
    }

    [Fact]
    public void SymbolicLink_ReadOnRegularFile_ThrowsEinval()
    {
        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.EINVAL, () => FileSystem.ReadSymbolicLink(P("f")));
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.ReadSymbolicLink(P("missing")));
    }

    [Fact]
    public void SymbolicLink_CreateOverExisting_ThrowsEexist()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.WriteText(P("f"), "x");

        ErrnoAssert.Throws(Errno.EEXIST, () => FileSystem.CreateSymbolicLink(P("f"), "elsewhere"));
    }

    [Fact]
    public void SymbolicLink_DeleteFile_RemovesTheLinkNotTheTarget()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.WriteText(P("target"), "kept");
        FileSystem.CreateSymbolicLink(P("link"), "target");

        FileSystem.DeleteFile(P("link"));

        Assert.Null(FileSystem.GetStatus(P("link"), followSymbolicLinks: false));
        Assert.Equal("kept", FileSystem.ReadText(P("target")));
    }

    [Fact]
    public void SetTimes_RoundTripsWithMicrosecondPrecision()
    {
        FileSystem.WriteText(P("f"), "x");
        var access = new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);
        var modification = new DateTimeOffset(2022, 8, 9, 10, 11, 12, TimeSpan.Zero).AddTicks(7_654_321);

        FileSystem.SetTimes(P("f"), access, modification);

        var status = FileSystem.GetStatus(P("f"))!;
        Assert.True((status.AccessTime - access).Duration() < TimeSpan.FromMicroseconds(1), $"access {status.AccessTime:O} != {access:O}");
        Assert.True((status.ModificationTime - modification).Duration() < TimeSpan.FromMicroseconds(1), $"modification {status.ModificationTime:O} != {modification:O}");
    }

    [Fact]
    public void SetTimes_NullTime_LeavesItUnchanged()
    {
        FileSystem.WriteText(P("f"), "x");
        var access = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var modification = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        FileSystem.SetTimes(P("f"), access, modification);

        FileSystem.SetTimes(P("f"), null, modification.AddDays(1));

        var status = FileSystem.GetStatus(P("f"))!;
        Assert.Equal(access, status.AccessTime);
        Assert.Equal(modification.AddDays(1), status.ModificationTime);
    }

    [Fact]
    public void SetTimes_Missing_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.SetTimes(P("missing"), DateTimeOffset.UnixEpoch, null));
    }

    [Fact]
    public void SetMode_RoundTripsOnFilesAndDirectories()
    {
        FileSystem.WriteText(P("f"), "x");
        FileSystem.CreateDirectory(P("d"));

        FileSystem.SetMode(P("f"), 0x1E4);
        FileSystem.SetMode(P("d"), 0x1C0);

        Assert.Equal(0x1E4, FileSystem.GetStatus(P("f"))!.Mode);
        Assert.Equal(0x1C0, FileSystem.GetStatus(P("d"))!.Mode);
    }

    [Fact]
    public void SetMode_ThroughSymbolicLink_ChangesTheTarget()
    {
        if (!SupportsSymbolicLinks)
        {
            return;
        }

        FileSystem.WriteText(P("target"), "x");
        FileSystem.CreateSymbolicLink(P("link"), "target");

        FileSystem.SetMode(P("link"), 0x180);

        Assert.Equal(0x180, FileSystem.GetStatus(P("target"))!.Mode);
    }

    [Fact]
    public void SetMode_Missing_ThrowsEnoent()
    {
        ErrnoAssert.Throws(Errno.ENOENT, () => FileSystem.SetMode(P("missing"), 0x1A4));
    }
}
