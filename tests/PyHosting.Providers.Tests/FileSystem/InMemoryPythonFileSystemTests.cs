using Microsoft.Extensions.Time.Testing;
using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

public sealed class InMemoryPythonFileSystemTests
{
    [Fact]
    public void Write_WithinQuota_ChargesContentAndName()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 100);

        fileSystem.WriteText("/ab", new string('x', 98));

        Assert.Equal(100, fileSystem.UsedBytes);
    }

    [Fact]
    public void Write_BeyondQuota_ThrowsEnospcAndStoresNothingMore()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 100);
        using var stream = fileSystem.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Create);
        stream.Write(new byte[60]);

        ErrnoAssert.Throws(Errno.ENOSPC, () => stream.Write(new byte[50]));

        Assert.Equal(60, fileSystem.GetStatus("/f")!.Size);
        Assert.Equal(61, fileSystem.UsedBytes);
        stream.Write(new byte[39]);
        Assert.Equal(100, fileSystem.UsedBytes);
    }

    [Fact]
    public void Write_AfterSeekFarBeyondTheEnd_ChargesTheGapAndThrowsEnospc()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 1024);
        using var stream = fileSystem.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Create);
        stream.Seek(1L << 40, SeekOrigin.Begin);

        ErrnoAssert.Throws(Errno.ENOSPC, () => stream.Write([1]));
        ErrnoAssert.Throws(Errno.ENOSPC, () => stream.SetLength(2048));
        Assert.Equal(0, fileSystem.GetStatus("/f")!.Size);
    }

    [Fact]
    public void SetLength_Growing_ReadsZerosAfterAShrink()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        using var stream = fileSystem.Open("/f", PythonOpenFlags.ReadWrite | PythonOpenFlags.Create);
        stream.Write("abcdef"u8);

        stream.SetLength(2);
        stream.SetLength(6);
        stream.Position = 0;

        Assert.Equal("ab\0\0\0\0", stream.ReadToEnd());
    }

    [Fact]
    public void DeleteFile_ReleasesItsBytes()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 100);
        fileSystem.WriteText("/f", new string('x', 90));

        fileSystem.DeleteFile("/f");

        Assert.Equal(0, fileSystem.UsedBytes);
        fileSystem.WriteText("/g", new string('y', 90));
    }

    [Fact]
    public void DeleteFile_WhileAStreamIsOpen_KeepsTheBytesChargedUntilItCloses()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 100);
        fileSystem.WriteText("/f", new string('x', 50));
        var stream = fileSystem.Open("/f", PythonOpenFlags.Read);

        fileSystem.DeleteFile("/f");

        Assert.Equal(50, fileSystem.UsedBytes);
        Assert.Equal(new string('x', 50), stream.ReadToEnd());
        stream.Dispose();
        Assert.Equal(0, fileSystem.UsedBytes);
    }

    [Fact]
    public void Open_Truncate_ReleasesTheOldContent()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 100);
        fileSystem.WriteText("/f", new string('x', 90));

        fileSystem.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Truncate).Dispose();

        Assert.Equal(1, fileSystem.UsedBytes);
    }

    [Fact]
    public void CreateEntries_ManyNamesAndLinks_AreChargedUntilTheQuotaIsFull()
    {
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: 50);

        var created = 0;
        var exception = Record.Exception(() =>
        {
            while (created < 1000)
            {
                fileSystem.CreateSymbolicLink("/l" + created.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), "target");
                created++;
            }
        });

        Assert.Equal(Errno.ENOSPC, ErrnoAssert.ErrnoOf(exception!));
        Assert.Equal(5, created);
        Assert.True(fileSystem.UsedBytes <= 50);
        ErrnoAssert.Throws(Errno.ENOSPC, () => fileSystem.CreateDirectory("/a-long-directory-name-over-the-rest"));
    }

    [Fact]
    public async Task Write_ConcurrentWriters_NeverExceedTheQuota()
    {
        const long quota = 256 * 1024;
        var fileSystem = new InMemoryPythonFileSystem(maxTotalBytes: quota);

        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            using var stream = fileSystem.Open("/f" + i, PythonOpenFlags.Write | PythonOpenFlags.Create);
            try
            {
                while (true)
                {
                    stream.Write(new byte[1000]);
                }
            }
            catch (PythonIOException e) when (e.ErrorNumber == Errno.ENOSPC)
            {
            }
        }));
        await Task.WhenAll(writers);

        var stored = Enumerable.Range(0, 8).Sum(i => fileSystem.GetStatus("/f" + i)!.Size);
        Assert.Equal(fileSystem.UsedBytes - 16, stored);
        Assert.True(fileSystem.UsedBytes <= quota);
        Assert.True(fileSystem.UsedBytes > quota - 8000);
    }

    [Fact]
    public void Streams_OnTheSameFile_ShareTheContent()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        using var writer = fileSystem.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Create);
        using var reader = fileSystem.Open("/f", PythonOpenFlags.Read);

        writer.Write("shared"u8);

        Assert.Equal(6, reader.Length);
        Assert.Equal("shared", reader.ReadToEnd());
    }

    [Fact]
    public void Times_FollowTheTimeProvider()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var fileSystem = new InMemoryPythonFileSystem(timeProvider: clock);
        var created = clock.GetUtcNow();
        fileSystem.WriteText("/f", "x");

        clock.Advance(TimeSpan.FromHours(1));
        fileSystem.WriteText("/f", "y", PythonOpenFlags.Write);
        clock.Advance(TimeSpan.FromHours(1));
        fileSystem.SetMode("/f", 0x180);

        var status = fileSystem.GetStatus("/f")!;
        Assert.Equal(created, status.AccessTime);
        Assert.Equal(created.AddHours(1), status.ModificationTime);
        Assert.Equal(created.AddHours(2), status.ChangeTime);
        Assert.Equal(created, fileSystem.GetStatus("/")!.ModificationTime);
    }

    [Fact]
    public void Inodes_AreStableAcrossRenameAndDistinctPerEntry()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.WriteText("/a", "x");
        fileSystem.WriteText("/b", "y");
        var inode = fileSystem.GetStatus("/a")!.Inode;

        fileSystem.Rename("/a", "/c");

        Assert.NotEqual(0, inode);
        Assert.Equal(inode, fileSystem.GetStatus("/c")!.Inode);
        Assert.NotEqual(inode, fileSystem.GetStatus("/b")!.Inode);
    }

    [Fact]
    public void LinkCount_OfADirectory_CountsItsSubdirectories()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.CreateDirectory("/d");
        fileSystem.CreateDirectory("/d/x");
        fileSystem.CreateDirectory("/d/y");
        fileSystem.WriteText("/d/f", "z");

        Assert.Equal(4, fileSystem.GetStatus("/d")!.LinkCount);
        Assert.Equal(1, fileSystem.GetStatus("/d/f")!.LinkCount);
    }

    [Fact]
    public void Resolution_LinkCycle_ThrowsEloop()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.CreateSymbolicLink("/a", "/b");
        fileSystem.CreateSymbolicLink("/b", "a");

        ErrnoAssert.Throws(Errno.ELOOP, () => fileSystem.Open("/a", PythonOpenFlags.Read));
        ErrnoAssert.Throws(Errno.ELOOP, () => fileSystem.GetStatus("/a/x"));
    }

    [Fact]
    public void Resolution_FortyLinksInAChain_AreFollowedButFortyOneAreNot()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.WriteText("/target", "end");
        for (var i = 1; i <= 41; i++)
        {
            fileSystem.CreateSymbolicLink("/l" + i, i == 1 ? "target" : "l" + (i - 1));
        }

        Assert.Equal("end", fileSystem.ReadText("/l40"));
        ErrnoAssert.Throws(Errno.ELOOP, () => fileSystem.ReadText("/l41"));
    }

    [Fact]
    public void Open_CreateThroughDanglingLink_CreatesTheTarget()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.CreateDirectory("/d");
        fileSystem.CreateSymbolicLink("/link", "/d/created");

        fileSystem.WriteText("/link", "via link");

        Assert.Equal("via link", fileSystem.ReadText("/d/created"));
        ErrnoAssert.Throws(Errno.EEXIST, () => fileSystem.Open("/link", PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Exclusive));
    }

    [Fact]
    public void Constructor_NegativeQuota_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryPythonFileSystem(maxTotalBytes: -1));
    }
}
