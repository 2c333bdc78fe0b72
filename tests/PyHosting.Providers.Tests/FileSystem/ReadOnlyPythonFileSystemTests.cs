using Moq;
using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

public sealed class ReadOnlyPythonFileSystemTests
{
    private readonly Mock<IPythonFileSystem> _inner = new(MockBehavior.Strict);
    private readonly ReadOnlyPythonFileSystem _fileSystem;

    public ReadOnlyPythonFileSystemTests()
    {
        _fileSystem = new ReadOnlyPythonFileSystem(_inner.Object);
    }

    public static TheoryData<string> Mutations => new()
    {
        nameof(IPythonFileSystem.CreateDirectory),
        nameof(IPythonFileSystem.DeleteDirectory),
        nameof(IPythonFileSystem.DeleteFile),
        nameof(IPythonFileSystem.Rename),
        nameof(IPythonFileSystem.CreateSymbolicLink),
        nameof(IPythonFileSystem.SetTimes),
        nameof(IPythonFileSystem.SetMode),
    };

    public static TheoryData<PythonOpenFlags> WritingFlags => new()
    {
        PythonOpenFlags.Write,
        PythonOpenFlags.ReadWrite,
        PythonOpenFlags.Read | PythonOpenFlags.Create,
        PythonOpenFlags.Read | PythonOpenFlags.Truncate,
        PythonOpenFlags.Append,
        PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Exclusive,
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Mutation_ThrowsErofsWithoutCallingTheInnerFileSystem(string mutation)
    {
        Action action = mutation switch
        {
            nameof(IPythonFileSystem.CreateDirectory) => () => _fileSystem.CreateDirectory("/d"),
            nameof(IPythonFileSystem.DeleteDirectory) => () => _fileSystem.DeleteDirectory("/d"),
            nameof(IPythonFileSystem.DeleteFile) => () => _fileSystem.DeleteFile("/f"),
            nameof(IPythonFileSystem.Rename) => () => _fileSystem.Rename("/a", "/b"),
            nameof(IPythonFileSystem.CreateSymbolicLink) => () => _fileSystem.CreateSymbolicLink("/l", "t"),
            nameof(IPythonFileSystem.SetTimes) => () => _fileSystem.SetTimes("/f", DateTimeOffset.UnixEpoch, null),
            _ => () => _fileSystem.SetMode("/f", 0x1A4),
        };

        ErrnoAssert.Throws(Errno.EROFS, action);

        _inner.VerifyNoOtherCalls();
    }

    [Theory]
    [MemberData(nameof(WritingFlags))]
    public void Open_ForWriting_ThrowsErofsWithoutCallingTheInnerFileSystem(PythonOpenFlags flags)
    {
        ErrnoAssert.Throws(Errno.EROFS, () => _fileSystem.Open("/f", flags));

        _inner.VerifyNoOtherCalls();
    }

    [Fact]
    public void Reads_PassThroughToTheInnerFileSystem()
    {
        var status = new PythonFileStatus(PythonFileKind.File, 3, 0x1A4, default, default, default);
        IReadOnlyList<PythonDirectoryEntry> entries = [new("f", PythonFileKind.File)];
        _inner.Setup(f => f.GetStatus("/f", false)).Returns(status);
        _inner.Setup(f => f.ReadDirectory("/")).Returns(entries);
        _inner.Setup(f => f.ReadSymbolicLink("/l")).Returns("target");
        _inner.Setup(f => f.GetHostPath("/f")).Returns("/host/f");
        _inner.Setup(f => f.Open("/f", PythonOpenFlags.Read, 0x1B6)).Returns(new MemoryStream("abc"u8.ToArray(), writable: false));

        Assert.Same(status, _fileSystem.GetStatus("/f", followSymbolicLinks: false));
        Assert.Same(entries, _fileSystem.ReadDirectory("/"));
        Assert.Equal("target", _fileSystem.ReadSymbolicLink("/l"));
        Assert.Equal("/host/f", _fileSystem.GetHostPath("/f"));
        using var stream = _fileSystem.Open("/f", PythonOpenFlags.Read);
        Assert.Equal("abc", stream.ReadToEnd());
    }

    [Fact]
    public void Open_InnerReturnsAWritableStream_TheDecoratorRefusesWrites()
    {
        _inner.Setup(f => f.Open("/f", PythonOpenFlags.Read, It.IsAny<int>())).Returns(new MemoryStream());

        using var stream = _fileSystem.Open("/f", PythonOpenFlags.Read);

        Assert.False(stream.CanWrite);
        ErrnoAssert.Throws(Errno.EROFS, () => stream.Write([1]));
    }
}
