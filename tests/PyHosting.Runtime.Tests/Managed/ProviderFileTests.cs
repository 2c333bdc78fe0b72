using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests.Managed;

/// <summary>The open files behind virtual descriptors, without an interpreter.</summary>
public class ProviderFileTests
{
    private static readonly DateTimeOffset Time = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ProviderFile Open(Stream stream, bool readable = true, bool writable = true, bool append = false, PythonFileStatus? status = null)
        => new(stream, "/f", readable, writable, append, () => status);

    [Fact]
    public void Append_WritesAtTheEndWhateverThePosition()
    {
        var stream = new MemoryStream();
        stream.Write("abc"u8);
        var file = Open(stream, append: true);
        file.Seek(0, SeekOrigin.Begin);

        file.Write("d"u8);

        Assert.Equal("abcd"u8.ToArray(), stream.ToArray());
    }

    [Fact]
    public void ReadingAWriteOnlyFile_IsEbadf()
    {
        var file = Open(new MemoryStream(), readable: false);

        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => file.Read(new byte[1], CancellationToken.None)).ErrorNumber);
    }

    [Fact]
    public void WritingAReadOnlyFile_IsEbadfAndTruncatingItEinval()
    {
        var file = Open(new MemoryStream(), writable: false);

        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => file.Write("x"u8)).ErrorNumber);
        Assert.Equal(Errno.EINVAL, Assert.Throws<PythonIOException>(() => file.Truncate(0)).ErrorNumber);
    }

    [Fact]
    public void SeekingBeforeTheStart_IsEinval()
    {
        var file = Open(new MemoryStream());

        Assert.Equal(Errno.EINVAL, Assert.Throws<PythonIOException>(() => file.Seek(-1, SeekOrigin.Current)).ErrorNumber);
        Assert.Equal(5, file.Seek(5, SeekOrigin.Begin));
    }

    [Fact]
    public void AStockProviderMessage_ReachesTheErrorMappingUnchanged()
    {
        // ManagedErrors.Map cuts it back to strerror for Python (ProviderCallTests.ADiskFullStream_ReportsEnospc).
        var original = new PythonIOException(Errno.ENOSPC, "No space left on device: '/inner/path'");
        var file = Open(new FailingStream(original));

        Assert.Same(original, Assert.Throws<PythonIOException>(() => file.Write("x"u8)));
        Assert.True(ProviderCalls.IsStock(original));
    }

    [Fact]
    public void AProvidersOwnMessage_IsKept()
    {
        var file = Open(new FailingStream(new PythonIOException(Errno.ENOSPC, "quota of tenant 7 exceeded")));

        Assert.Equal("quota of tenant 7 exceeded", Assert.Throws<PythonIOException>(() => file.Write("x"u8)).Message);
    }

    [Fact]
    public void Status_ReportsTheStreamLength()
    {
        var stream = new MemoryStream();
        var file = Open(stream, status: new PythonFileStatus(PythonFileKind.File, 0, 0x1A4, Time, Time, Time));
        file.Write("12345"u8);

        var status = file.Status(TimeProvider.System);

        Assert.Equal(5, status.Size);
        Assert.Equal(0x1A4, status.Mode);
    }

    [Fact]
    public void Status_OfAnUnlinkedFile_StillHasItsSize()
    {
        var stream = new MemoryStream("abc"u8.ToArray());

        var status = Open(stream).Status(TimeProvider.System);

        Assert.Equal(3, status.Size);
        Assert.Equal(0, status.LinkCount);
    }

    [Fact]
    public void ReleasingTheLastReference_FlushesAndDisposesEvenWhenFlushFails()
    {
        var stream = new FailingStream(new IOException("flush failed"), failFlush: true);
        var file = Open(stream);
        file.AddReference();

        file.Release();
        Assert.False(stream.Disposed);
        Assert.Throws<IOException>(file.Release);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public void ADirectory_CannotBeReadOrWritten()
    {
        var file = new DirectoryFile("/d", _ => new PythonFileStatus(PythonFileKind.Directory, 0, 0x1ED, Time, Time, Time));

        Assert.Equal(Errno.EISDIR, Assert.Throws<PythonIOException>(() => file.Read(new byte[1], CancellationToken.None)).ErrorNumber);
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => file.Write("x"u8)).ErrorNumber);
        Assert.Equal(PythonFileKind.Directory, file.Status(TimeProvider.System).Kind);
    }

    [Fact]
    public void StandardOutput_DecodesUtf8SplitAcrossWrites()
    {
        var writer = new StringWriter();
        var sink = new OutputSink(writer, null, NullLogger.Instance, NullLogger.Instance);
        var stdout = new StandardFile(1, () => sink);
        var bytes = "é\n"u8.ToArray();

        stdout.Write(bytes.AsSpan(0, 1));
        stdout.Write(bytes.AsSpan(1));

        Assert.Equal("é\n", writer.ToString());
        Assert.Equal(1, stdout.Descriptor);
    }

    [Fact]
    public void StandardInput_IsAtEndOfFileAndNotWritable()
    {
        var stdin = new StandardFile(0, () => throw new InvalidOperationException());

        Assert.Equal(0, stdin.Read(new byte[8], CancellationToken.None));
        Assert.Equal(Errno.EBADF, Assert.Throws<PythonIOException>(() => stdin.Write("x"u8)).ErrorNumber);
    }

    private sealed class FailingStream(Exception failure, bool failFlush = false) : MemoryStream
    {
        public bool Disposed { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer) => throw failure;

        public override void Flush()
        {
            if (failFlush)
            {
                throw failure;
            }
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
