using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests.Managed;

public class VirtualPipeTests
{
    [Fact]
    public void Bytes_ComeOutInOrderThenEndOfFileOnceTheWriterCloses()
    {
        var pipe = new VirtualPipe();
        pipe.WriteEnd.Write("abc"u8);
        pipe.WriteEnd.Write("def"u8);
        var buffer = new byte[4];

        Assert.Equal(4, pipe.ReadEnd.Read(buffer, CancellationToken.None));
        Assert.Equal("abcd"u8.ToArray(), buffer);
        pipe.WriteEnd.Release();
        Assert.Equal(2, pipe.ReadEnd.Read(buffer, CancellationToken.None));
        Assert.Equal(0, pipe.ReadEnd.Read(buffer, CancellationToken.None));
    }

    [Fact]
    public void WritingWithNoReader_IsBrokenPipe()
    {
        var pipe = new VirtualPipe();
        pipe.ReadEnd.Release();

        Assert.Equal(Errno.EPIPE, Assert.Throws<PythonIOException>(() => pipe.WriteEnd.Write("x"u8)).ErrorNumber);
    }

    [Fact]
    public async Task AReader_WaitsForData()
    {
        var pipe = new VirtualPipe();
        var read = Task.Run(() => pipe.ReadEnd.Read(new byte[8], CancellationToken.None));
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        Assert.False(pipe.ReadEnd.ReadReady);

        pipe.WriteEnd.Write("x"u8);

        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AWaitingReader_ObservesCancellation()
    {
        var pipe = new VirtualPipe();
        using var cancel = new CancellationTokenSource();
        var read = Task.Run(() => pipe.ReadEnd.Read(new byte[8], cancel.Token));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AWriteLargerThanTheCapacity_IsCopiedAsTheReaderDrains_NeverHoldingMoreThanTheCapacity()
    {
        var pipe = new VirtualPipe();
        var data = new byte[(3 * VirtualPipe.Capacity) + 12345];
        new Random(7).NextBytes(data);
        var write = Task.Run(() => pipe.WriteEnd.Write(data));
        var received = new List<byte>();
        var buffer = new byte[VirtualPipe.Capacity * 2];
        while (received.Count < data.Length)
        {
            var n = pipe.ReadEnd.Read(buffer, CancellationToken.None);
            Assert.InRange(n, 1, VirtualPipe.Capacity);
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Assert.Equal(data.Length, await write.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task AWriterWaitingForRoom_ReturnsWhatItCopied_WhenTheReaderGoesAway()
    {
        var pipe = new VirtualPipe();
        var write = Task.Run(() => pipe.WriteEnd.Write(new byte[VirtualPipe.Capacity + 1]));
        while (!pipe.ReadEnd.ReadReady)
        {
            await Task.Yield();
        }

        pipe.ReadEnd.Release();

        Assert.InRange(await write.WaitAsync(TimeSpan.FromSeconds(30)), 1, VirtualPipe.Capacity);
    }

    [Fact]
    public void TheEnds_AreOneWay()
    {
        var pipe = new VirtualPipe();

        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => pipe.ReadEnd.Write("x"u8)).ErrorNumber);
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => pipe.WriteEnd.Read(new byte[1], CancellationToken.None)).ErrorNumber);
        Assert.Equal(Errno.ESPIPE, Assert.Throws<PythonIOException>(() => pipe.ReadEnd.Seek(0, SeekOrigin.Begin)).ErrorNumber);
    }
}
