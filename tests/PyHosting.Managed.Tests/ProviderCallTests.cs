using Microsoft.Extensions.Logging;
using Moq;
using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary>What a user-supplied provider (Moq'd, mounted at <c>/mock</c>) receives, and how its errors reach Python.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class ProviderCallTests(ManagedRuntimeFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset Time = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly IPythonFileSystem _previous = fixture.Mock.Target;

    public void Dispose() => fixture.Mock.Target = _previous;

    [Fact]
    public async Task OpenForWritingWriteAndClose_CallsOpenThenWritesTheStream()
    {
        var stream = new RecordingStream();
        var provider = new Mock<IPythonFileSystem>(MockBehavior.Strict);
        var sequence = new MockSequence();
        provider.InSequence(sequence).Setup(p => p.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate, 0x1A4)).Returns(stream);
        fixture.Mock.Target = provider.Object;

        await fixture.RunAsync<object>("""
            f = open('/mock/f', 'w')
            f.write('x')
            f.close()
            """);

        provider.Verify(p => p.Open("/f", PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate, 0x1A4), Times.Once);
        provider.VerifyNoOtherCalls();
        Assert.Equal(["x"], stream.Writes);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task ReadingAFile_ReadsTheProviderStreamWithoutCopiesPerByte()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var stream = new RecordingStream(content);
        var provider = new Mock<IPythonFileSystem>(MockBehavior.Strict);
        provider.Setup(p => p.Open("/big", PythonOpenFlags.Read, 0x1A4)).Returns(stream);
        provider.Setup(p => p.GetStatus("/big", true)).Returns(new PythonFileStatus(PythonFileKind.File, content.Length, 0x1A4, Time, Time, Time));
        fixture.Mock.Target = provider.Object;

        var data = await fixture.RunAsync<byte[]>("return open('/mock/big', 'rb').read()");

        Assert.Equal(content, data);
        Assert.True(stream.Reads <= 3, $"{stream.Reads} reads");
        Assert.True(stream.Disposed);
    }

    public static TheoryData<Exception, long, string> ProviderErrors => new()
    {
        { new FileNotFoundException("gone"), Errno.ENOENT, "FileNotFoundError" },
        { new DirectoryNotFoundException("gone"), Errno.ENOENT, "FileNotFoundError" },
        { new UnauthorizedAccessException("no"), Errno.EACCES, "PermissionError" },
        { new PythonIOException(Errno.ENOSPC, "No space left on device: '/f'"), Errno.ENOSPC, "OSError" },
        { new PythonIOException(Errno.EEXIST, "File exists"), Errno.EEXIST, "FileExistsError" },
        { new InvalidOperationException("provider bug"), Errno.EIO, "OSError" },
    };

    [Theory]
    [MemberData(nameof(ProviderErrors))]
    public async Task ProviderExceptions_BecomeErrnoOSErrors(Exception thrown, long errno, string type)
    {
        var provider = new Mock<IPythonFileSystem>();
        provider.Setup(p => p.Open(It.IsAny<string>(), It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Throws(thrown);
        fixture.Mock.Target = provider.Object;

        var result = await fixture.RunAsync<List<object?>>("""
            try:
                open('/mock/f', 'w')
            except OSError as e:
                return [type(e).__name__, e.errno, e.filename, e.strerror]
            """);

        Assert.Equal(type, result![0]);
        Assert.Equal(errno, result[1]);
        Assert.Equal("/mock/f", result[2]);
        Assert.DoesNotContain("'/f'", (string)result[3]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProviderFault_IsLoggedAsAWarning()
    {
        var provider = new Mock<IPythonFileSystem>();
        provider.Setup(p => p.GetStatus(It.IsAny<string>(), It.IsAny<bool>())).Throws(new InvalidOperationException("provider bug"));
        fixture.Mock.Target = provider.Object;
        var mark = fixture.Logs.Mark;

        var errno = await fixture.RunAsync<long>("""
            import os
            try:
                os.stat('/mock/anything')
            except OSError as e:
                return e.errno
            """);

        Assert.Equal(Errno.EIO, errno);
        Assert.Contains(fixture.Logs.Since(mark), l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AStreamFailingMidWrite_IsAnOSErrorNeverASuccess()
    {
        var provider = new Mock<IPythonFileSystem>();
        provider.Setup(p => p.Open("/f", It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Returns(() => new RecordingStream(failAfter: 10_000));
        provider.Setup(p => p.Open("/g", It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Returns(() => new RecordingStream(failAfter: 0));
        provider.Setup(p => p.GetStatus(It.IsAny<string>(), true)).Returns(new PythonFileStatus(PythonFileKind.File, 0, 0x1A4, Time, Time, Time));
        fixture.Mock.Target = provider.Object;

        var result = await fixture.RunAsync<string>("""
            outcomes = []
            f = open('/mock/f', 'wb')
            try:
                f.write(b'x' * 100_000)
                outcomes.append('large write succeeded')
            except OSError as e:
                outcomes.append(f'large write: errno {e.errno}')
            g = open('/mock/g', 'wb')
            g.write(b'y' * 100)
            outcomes.append('small write buffered')
            try:
                g.close()
                outcomes.append('close succeeded')
            except OSError as e:
                outcomes.append(f'close: errno {e.errno}')
            try:
                f.close()
            except OSError:
                pass
            return ', '.join(outcomes)
            """);

        Assert.Equal("large write: errno 5, small write buffered, close: errno 5", result);
    }

    [Fact]
    public async Task ADiskFullStream_ReportsEnospc()
    {
        var provider = new Mock<IPythonFileSystem>();
        provider.Setup(p => p.Open("/f", It.IsAny<PythonOpenFlags>(), It.IsAny<int>()))
            .Returns(() => new RecordingStream(failAfter: 0, failure: new PythonIOException(Errno.ENOSPC, "No space left on device: '/f'")));
        provider.Setup(p => p.GetStatus("/f", true)).Returns(new PythonFileStatus(PythonFileKind.File, 0, 0x1A4, Time, Time, Time));
        fixture.Mock.Target = provider.Object;

        var result = await fixture.RunAsync<string>("""
            try:
                with open('/mock/f', 'wb', buffering=0) as f:
                    f.write(b'data')
            except OSError as e:
                return str(e)
            """);

        Assert.Equal("[Errno 28] No space left on device", result);
    }

    /// <summary>A stream that records what it is asked to do, and can fail once a number of bytes was written.</summary>
    private sealed class RecordingStream(byte[]? content = null, int failAfter = -1, Exception? failure = null) : Stream
    {
        private readonly MemoryStream _inner = content is null ? new MemoryStream() : new MemoryStream(content, writable: false);
        private int _written;

        public List<string> Writes { get; } = [];

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => content is null;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => _inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads++;
            return _inner.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            return _inner.Read(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (failAfter >= 0 && _written + buffer.Length > failAfter)
            {
                throw failure ?? new IOException("the device went away");
            }

            _written += buffer.Length;
            Writes.Add(System.Text.Encoding.UTF8.GetString(buffer));
            _inner.Write(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void SetLength(long value) => _inner.SetLength(value);

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
