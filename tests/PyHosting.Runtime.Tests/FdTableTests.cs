using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests;

public class FdTableTests
{
    [Fact]
    public void Add_AllocatesTheLowestFreeNumber()
    {
        var table = new FdTable();
        Assert.Equal(0, table.Add(new NullFile()));
        Assert.Equal(1, table.Add(new NullFile()));
        Assert.Equal(2, table.Add(new NullFile()));
        table.Close(1);
        Assert.Equal(1, table.Add(new NullFile()));
        Assert.Equal(3, table.Add(new NullFile()));
    }

    [Fact]
    public void Get_UnknownDescriptor_IsEbadf()
    {
        var table = new FdTable();
        var e = Assert.Throws<PythonIOException>(() => table.Get(7));
        Assert.Equal(Errno.EBADF, e.ErrorNumber);
    }

    [Fact]
    public void Close_Twice_IsEbadf()
    {
        var table = new FdTable();
        var fd = table.Add(new NullFile());
        table.Close(fd);
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => table.Close(fd)).ErrorNumber);
    }

    [Fact]
    public void Dup_SharesTheFileUntilTheLastDescriptorCloses()
    {
        var table = new FdTable();
        var file = new CountingFile();
        var fd = table.Add(file);
        var copy = table.Dup(fd);
        Assert.NotEqual(fd, copy);
        Assert.Same(table.Get(fd), table.Get(copy));
        table.Close(fd);
        Assert.Equal(0, file.Disposed);
        table.Close(copy);
        Assert.Equal(1, file.Disposed);
    }

    [Fact]
    public void Dup2_ReplacesAndReleasesTheTarget()
    {
        var table = new FdTable();
        var first = new CountingFile();
        var second = new CountingFile();
        var a = table.Add(first);
        var b = table.Add(second);
        Assert.Equal(b, table.Dup2(a, b));
        Assert.Equal(1, second.Disposed);
        Assert.Same(first, table.Get(b));
    }

    [Fact]
    public void CloseRange_ClosesOnlyOpenDescriptorsInRange()
    {
        var table = new FdTable();
        for (var i = 0; i < 6; i++)
        {
            table.Add(new NullFile());
        }

        Assert.Equal(3, table.CloseRange(3, 65536));
        Assert.Equal(3, table.Count);
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => table.Get(3)).ErrorNumber);
    }

    [Fact]
    public void Dup2_OntoAFreeNumber_CountsItAndOutOfRangeNumbersAreEbadf()
    {
        var table = new FdTable();
        var fd = table.Add(new NullFile());
        Assert.Equal(9, table.Dup2(fd, 9));
        Assert.Equal(2, table.Count);
        Assert.Same(table.Get(fd), table.Get(9));
        Assert.Equal(1, table.Add(new NullFile()));
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => table.Get(-1)).ErrorNumber);
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => table.Get(FdTable.MaxDescriptors)).ErrorNumber);
        Assert.False(table.TryGet(FdTable.MaxDescriptors + 5, out _));
    }

    [Fact]
    public void Add_BeyondTheLimit_IsEmfile()
    {
        var table = new FdTable();
        for (var i = 0; i < FdTable.MaxDescriptors; i++)
        {
            table.Add(new NullFile());
        }

        Assert.Equal(Errno.EMFILE, Assert.Throws<PythonIOException>(() => table.Add(new NullFile())).ErrorNumber);
    }

    private sealed class CountingFile : OpenFile
    {
        public int Disposed { get; private set; }

        public override bool Readable => true;

        public override bool Writable => true;

        public override int Read(Span<byte> buffer, CancellationToken cancellationToken) => 0;

        public override int Write(ReadOnlySpan<byte> data) => data.Length;

        public override PythonFileStatus Status(TimeProvider clock) => new(PythonFileKind.Other, 0, 0, default, default, default);

        protected override void Dispose() => Disposed++;
    }
}
