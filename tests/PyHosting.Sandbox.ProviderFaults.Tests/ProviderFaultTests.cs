using Moq;
using PyHosting.Providers;

namespace PyHosting.Sandbox.ProviderFaults.Tests;

/// <summary>
/// A provider that throws gives Python an OSError with the errno of DESIGN §4, the host keeps serving, and a
/// write the provider did not take is never reported as done.
/// </summary>
[Collection(FaultyProvidersCollection.Name)]
public sealed class ProviderFaultTests : IDisposable
{
    private static readonly int DiskFullHResult = unchecked((int)0x80070070);
    private readonly FaultyProvidersFixture _fixture;

    public ProviderFaultTests(FaultyProvidersFixture fixture)
    {
        _fixture = fixture;
        fixture.Faulty.Reset();
    }

    public static TheoryData<string, string, int> Faults => new()
    {
        { "not found", "stat", 2 },
        { "access denied", "open", 13 },
        { "disk full", "create", 28 },
        { "exists", "create", 17 },
        { "not empty", "rmdir", 39 },
        { "arbitrary exception", "listdir", 5 },
        { "not supported", "open", 95 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task ProviderException_IsOSErrorWithItsErrno_AndTheHostKeepsServing(string fault, string operation, int errno)
    {
        Exception exception = fault switch
        {
            "not found" => new FileNotFoundException("gone"),
            "access denied" => new UnauthorizedAccessException("no"),
            "disk full" => new IOException("disk full", DiskFullHResult),
            "exists" => new PythonIOException(Errno.EEXIST, "File exists"),
            "not empty" => new PythonIOException(Errno.ENOTEMPTY, "Directory not empty"),
            "not supported" => new PythonIOException(95, "Operation not supported"),
            _ => new InvalidOperationException("a provider bug with internal details"),
        };
        var faulty = _fixture.Faulty;
        faulty.Setup(f => f.GetStatus(It.IsAny<string>(), It.IsAny<bool>())).Throws(exception);
        faulty.Setup(f => f.Open(It.IsAny<string>(), It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Throws(exception);
        faulty.Setup(f => f.ReadDirectory(It.IsAny<string>())).Throws(exception);
        faulty.Setup(f => f.DeleteDirectory(It.IsAny<string>())).Throws(exception);
        var code = operation switch
        {
            "stat" => "os.stat('/faulty/file')",
            "open" => "open('/faulty/file').read()",
            "create" => "open('/faulty/file', 'x')",
            "rmdir" => "os.rmdir('/faulty/dir')",
            _ => "os.listdir('/faulty')",
        };

        await _fixture.ExecuteAsync($"import os\ntry:\n    {code}\n    fault_errno = None\nexcept OSError as e:\n    fault_errno = e.errno\n    fault_text = str(e)");

        Assert.Equal(errno, await _fixture.EvaluateAsync<long?>("fault_errno"));
        Assert.DoesNotContain("internal details", await _fixture.EvaluateAsync<string>("fault_text"), StringComparison.Ordinal);
        Assert.Equal(2L, await _fixture.EvaluateAsync<long>("1 + 1"));
    }

    [Fact]
    public async Task ArbitraryProviderException_IsLoggedAsAWarning()
    {
        _fixture.Faulty.Setup(f => f.ReadDirectory(It.IsAny<string>())).Throws(new InvalidOperationException("provider bug 51b7"));

        await Assert.ThrowsAsync<PythonScriptException>(() => _fixture.ExecuteAsync("import os\nos.listdir('/faulty')"));

        Assert.Contains(_fixture.Logs, l => l.Contains("Warning", StringComparison.Ordinal) && l.Contains("listdir", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task StreamFailingMidWrite_UnbufferedWrite_IsNeverReportedAsDone()
    {
        var stream = OpenFailing(capacity: 100, () => new IOException("disk full", DiskFullHResult));

        await _fixture.ExecuteAsync("""
            import os
            fd = os.open('/faulty/out', os.O_WRONLY | os.O_CREAT)
            try:
                written = os.write(fd, b'x' * 1000)
                write_errno = None
            except OSError as e:
                written, write_errno = None, e.errno
            try:
                os.close(fd)
            except OSError:
                pass
            """);

        var written = await _fixture.EvaluateAsync<long?>("written");
        var errno = await _fixture.EvaluateAsync<long?>("write_errno");
        Assert.True(errno == 28 || (written is { } n && n == stream.Accepted.Length && n < 1000), $"write returned {written}, errno {errno}, the provider took {stream.Accepted.Length} bytes");
    }

    [Theory]
    [InlineData("with open('/faulty/out', 'wb') as f:\n    f.write(b'x' * 100000)")]
    [InlineData("with open('/faulty/out', 'w') as f:\n    f.write('small text that stays in the buffer until close')")]
    [InlineData("import shutil, io\nwith open('/faulty/out', 'wb') as f:\n    shutil.copyfileobj(io.BytesIO(b'y' * 50000), f)")]
    public async Task StreamFailingMidWrite_BufferedWrite_RaisesBeforeTheFileIsClosed(string code)
    {
        OpenFailing(capacity: 10, () => new IOException("disk full", DiskFullHResult));

        var error = await Assert.ThrowsAsync<PythonScriptException>(() => _fixture.ExecuteAsync(code));

        Assert.Equal("OSError", error.PythonType);
        Assert.StartsWith("[Errno 28]", error.PythonMessage, StringComparison.Ordinal);
        Assert.Equal(2L, await _fixture.EvaluateAsync<long>("1 + 1"));
    }

    [Fact]
    public async Task StreamFailingOnFlush_FsyncAndCloseRaise()
    {
        OpenFailing(capacity: 1 << 20, () => new IOException("disk full", DiskFullHResult), failFlush: true);

        var error = await Assert.ThrowsAsync<PythonScriptException>(() => _fixture.ExecuteAsync("""
            import os
            fd = os.open('/faulty/out', os.O_WRONLY | os.O_CREAT)
            os.write(fd, b'abc')
            os.fsync(fd)
            """));

        Assert.StartsWith("[Errno 28]", error.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamFailingMidWrite_WithAnArbitraryException_IsEio()
    {
        OpenFailing(capacity: 10, () => new InvalidOperationException("stream bug"));

        var error = await Assert.ThrowsAsync<PythonScriptException>(() => _fixture.ExecuteAsync("with open('/faulty/out', 'wb') as f:\n    f.write(b'z' * 100000)"));

        Assert.StartsWith("[Errno 5]", error.PythonMessage, StringComparison.Ordinal);
    }

    public void Dispose() => _fixture.Faulty.Reset();

    private FailingStream OpenFailing(int capacity, Func<Exception> failure, bool failFlush = false)
    {
        var stream = new FailingStream(capacity, failure) { FailFlush = failFlush };
        _fixture.Faulty.Setup(f => f.Open(It.IsAny<string>(), It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Returns(stream);
        return stream;
    }
}
