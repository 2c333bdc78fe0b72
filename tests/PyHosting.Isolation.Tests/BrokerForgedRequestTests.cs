using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;
using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Hosting.Isolation;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// The host's broker driven directly with the frames a compromised worker (one running native code) could send:
/// whatever it asks, the host serves no more than the runtime's permissions allow, refuses bad handles and sizes,
/// and reports a malformed or out-of-protocol request as a violation (the worker is then killed).
/// </summary>
public sealed class BrokerForgedRequestTests
{
    private const string Secret = "/data/secret.txt";

    [Theory]
    [InlineData("ReadOnly")]
    [InlineData("None")]
    public async Task Writes_AreRefusedUnlessIOIsAll(string io)
    {
        using var h = new Harness(Enum.Parse<IOAccess>(io));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.Open, A(3).Add(Secret).Add((long)(PythonOpenFlags.Write | PythonOpenFlags.Truncate)).Add(0x1A4L));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.Open, A(3).Add("/data/new.txt").Add((long)(PythonOpenFlags.Read | PythonOpenFlags.Create)).Add(0x1A4L));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.DeleteFile, A(1).Add(Secret));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.Rename, A(3).Add(Secret).Add("/data/moved.txt").Add(true));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.CreateDirectory, A(2).Add("/data/dir").Add(0x1EDL));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.SetMode, A(3).Add(Secret).Add(0x1FFL).Add(true));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.SetTimes, A(4).Add(Secret).Add((long?)null).Add(0L).Add(true));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.CreateSymbolicLink, A(2).Add("/data/link").Add("/etc/passwd"));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.DeleteDirectory, A(1).Add("/data"));

        Assert.Equal("secret", h.ReadFile(Secret));
        Assert.Null(h.Memory.GetStatus("/data/new.txt"));
        Assert.Null(h.Memory.GetStatus("/data/link", followSymbolicLinks: false));
        Assert.DoesNotContain(h.Files.Operations, static o => !o.StartsWith("stat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IONone_ReadsOnlyBelowTheModulePaths()
    {
        using var h = new Harness(IOAccess.None);
        await AssertRefused(h, Errno.EACCES, BrokerOperation.Open, A(3).Add(Secret).Add((long)PythonOpenFlags.Read).Add(0L));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.GetStatus, A(2).Add(Secret).Add(true));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.ReadDirectory, A(1).Add("/data"));
        await AssertRefused(h, Errno.EACCES, BrokerOperation.ReadDirectory, A(1).Add("/"));

        // The module path, and nothing that merely starts with its name.
        var opened = await h.SendAsync(BrokerOperation.Open, A(3).Add("/app/module.py").Add((long)PythonOpenFlags.Read).Add(0L));
        Assert.Equal(0, opened.Code);
        await AssertRefused(h, Errno.EACCES, BrokerOperation.GetStatus, A(2).Add("/application/x.py").Add(true));
        Assert.Equal(new[] { "open /app/module.py" }, h.Files.Operations);
    }

    [Theory]
    [InlineData("/data/../secret.txt")]
    [InlineData("/app/../data/secret.txt")]
    [InlineData("data/secret.txt")]
    [InlineData("/data//secret.txt")]
    [InlineData("/data/./secret.txt")]
    [InlineData("/data/secret.txt/")]
    [InlineData("")]
    [InlineData("/data/se\0cret.txt")]
    public async Task PathsThatAreNotNormalised_AreRefusedBeforeTheProviderSeesThem(string path)
    {
        using var h = new Harness(IOAccess.All);
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Open, A(3).Add(path).Add((long)PythonOpenFlags.Read).Add(0L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.DeleteFile, A(1).Add(path));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Rename, A(3).Add(Secret).Add(path).Add(true));
        Assert.Empty(h.Files.Operations);
        Assert.Equal("secret", h.ReadFile(Secret));
    }

    [Fact]
    public async Task HugeAndNegativeSizes_AreBoundedOrRefused()
    {
        using var h = new Harness(IOAccess.All);
        using (var big = h.Memory.Open("/data/big.bin", PythonOpenFlags.Write | PythonOpenFlags.Create))
        {
            big.Write(new byte[3 << 20]);
        }

        var handle = await h.OpenAsync("/data/big.bin", PythonOpenFlags.ReadWrite);
        var read = await h.SendAsync(BrokerOperation.Read, A(3).Add(handle).Add((long)int.MaxValue).Add(0L));
        Assert.Equal(0, read.Code);
        Assert.Equal(WorkerBroker.MaxReadLength, Bytes(read.Payload).Length);

        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Read, A(3).Add(handle).Add(-1L).Add(0L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.SetLength, A(2).Add(handle).Add(-5L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Read, A(3).Add(handle).Add(10L).Add(-7L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Seek, A(3).Add(handle).Add(0L).Add(7L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Open, A(3).Add("/data/x").Add((long)PythonOpenFlags.Write).Add(0x10000L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Open, A(3).Add("/data/x").Add(0L).Add(0L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.Open, A(3).Add("/data/x").Add(1L | 1024L).Add(0L));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.CreateDirectory, A(2).Add("/data/d").Add(-1L));
        Assert.Equal(3 << 20, h.Memory.GetStatus("/data/big.bin")!.Size);
    }

    [Fact]
    public async Task BogusHandles_AreEbadf()
    {
        using var h = new Harness(IOAccess.All, processes: true);
        await AssertRefused(h, Errno.EBADF, BrokerOperation.Read, A(3).Add(12345L).Add(10L).Add(0L));
        await AssertRefused(h, Errno.EBADF, BrokerOperation.Write, A(3).Add(-1L).Add([1, 2, 3]).Add(0L));
        await AssertRefused(h, Errno.EBADF, BrokerOperation.Close, A(1).Add(0L));

        var handle = await h.OpenAsync(Secret, PythonOpenFlags.Read);

        // A stream is not a process, and a closed handle is gone.
        await AssertRefused(h, Errno.EBADF, BrokerOperation.ProcessKill, A(1).Add(handle));
        Assert.Equal(0, (await h.SendAsync(BrokerOperation.Close, A(1).Add(handle))).Code);
        await AssertRefused(h, Errno.EBADF, BrokerOperation.Read, A(3).Add(handle).Add(10L).Add(0L));
        await AssertRefused(h, Errno.EBADF, BrokerOperation.Close, A(1).Add(handle));
        Assert.True(Assert.Single(h.Files.Streams).Disposed);
    }

    [Fact]
    public async Task OpenHandles_AreBounded_AndAllClosedWhenTheWorkerEnds()
    {
        var h = new Harness(IOAccess.All);
        for (var i = 0; i < WorkerBroker.MaxHandles; i++)
        {
            await h.OpenAsync(Secret, PythonOpenFlags.Read);
        }

        await AssertRefused(h, Errno.EMFILE, BrokerOperation.Open, A(3).Add(Secret).Add((long)PythonOpenFlags.Read).Add(0L));
        Assert.Equal(WorkerBroker.MaxHandles, h.Broker.OpenHandles);
        Assert.DoesNotContain(h.Files.Streams, static s => s.Disposed);

        h.Dispose();
        Assert.Equal(0, h.Broker.OpenHandles);
        Assert.Equal(WorkerBroker.MaxHandles, h.Files.Streams.Count);
        Assert.All(h.Files.Streams, static s => Assert.True(s.Disposed));
    }

    [Fact]
    public async Task Processes_AreStartedOnlyWithCreateProcess_AndNeverOnTheHostsOwnStreams()
    {
        using (var refused = new Harness(IOAccess.All, processes: true, createProcess: false))
        {
            await AssertRefused(refused, Errno.EACCES, BrokerOperation.StartProcess, Start(PythonStdio.Pipe));
            Assert.Empty(refused.Processes!.Started);
        }

        using var h = new Harness(IOAccess.All, processes: true, createProcess: true);
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.StartProcess, Start(PythonStdio.Inherit));
        await AssertRefused(h, Errno.EINVAL, BrokerOperation.StartProcess, Start((PythonStdio)7));
        Assert.Empty(h.Processes!.Started);

        var started = await h.SendAsync(BrokerOperation.StartProcess, Start(PythonStdio.Pipe));
        Assert.Equal(0, started.Code);
        Assert.Equal("true", Assert.Single(h.Processes.Started).Program);
    }

    public static TheoryData<string, int, byte[]?> Malformed => new()
    {
        { "unknown operation", 999, A(0).ToArray() },
        { "no arguments", (int)BrokerOperation.GetStatus, null },
        { "too few arguments", (int)BrokerOperation.GetStatus, A(1).Add(Secret).ToArray() },
        { "too many arguments", (int)BrokerOperation.DeleteFile, A(2).Add(Secret).Add(Secret).ToArray() },
        { "a number for a path", (int)BrokerOperation.DeleteFile, A(1).Add(5L).ToArray() },
        { "a nil path", (int)BrokerOperation.DeleteFile, A(1).Add((string?)null).ToArray() },
        { "trailing bytes", (int)BrokerOperation.DeleteFile, [.. A(1).Add(Secret).ToArray(), 0xc0] },
        { "not an array", (int)BrokerOperation.DeleteFile, [0xa1, 0x61] },
        { "garbage", (int)BrokerOperation.Read, [0xc1, 0xc1, 0xc1] },
        { "a timer out of range", (int)BrokerOperation.CreateTimer, A(3).Add(1L).Add(long.MaxValue).Add(-1L).ToArray() },
        { "no process arguments", (int)BrokerOperation.StartProcess, A(6).AddArrayHeader(0).AddMapHeader(0).Add((string?)null).Add(0L).Add(0L).Add(0L).ToArray() },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedRequests_AreViolations(string name, int operation, byte[]? payload)
    {
        using var h = new Harness(IOAccess.All, processes: true, clock: true);
        Assert.False(string.IsNullOrEmpty(h.Forge(1, operation, payload)), name);
        Assert.Empty(h.Files.Operations);
    }

    [Fact]
    public void RequestsWithoutAnIdOrForAProviderThatIsNotBrokered_AreViolations()
    {
        using var h = new Harness(IOAccess.All);
        Assert.NotNull(h.Forge(0, (int)BrokerOperation.GetStatus, A(2).Add(Secret).Add(true).ToArray()));
        Assert.Contains("not brokered", h.Forge(1, (int)BrokerOperation.GetUtcNow, A(0).ToArray()), StringComparison.Ordinal);
        Assert.Contains("not brokered", h.Forge(2, (int)BrokerOperation.StartProcess, Start(PythonStdio.Pipe).ToArray()), StringComparison.Ordinal);
        Assert.Empty(h.Files.Operations);
    }

    [Fact]
    public async Task TooManyRequestsAtOnce_AreAViolation_AndTheProviderIsNotCalledForThem()
    {
        using var h = new Harness(IOAccess.All);
        h.Memory.CreateDirectory("/hang");
        try
        {
            for (var i = 1; i <= WorkerBroker.MaxInFlight; i++)
            {
                Assert.Null(h.Forge(i, (int)BrokerOperation.Open, A(3).Add("/hang/x").Add((long)(PythonOpenFlags.Write | PythonOpenFlags.Create)).Add(0x1A4L).ToArray()));
            }

            Assert.Contains("at once", h.Forge(WorkerBroker.MaxInFlight + 1, (int)BrokerOperation.GetStatus, A(2).Add(Secret).Add(true).ToArray()), StringComparison.Ordinal);
        }
        finally
        {
            h.Files.Hang.Set();
        }

        // Every accepted request is answered once the provider is free again.
        var answers = await Task.WhenAll(Enumerable.Range(1, WorkerBroker.MaxInFlight).Select(i => h.AnswerAsync(i)));
        Assert.All(answers, static a => Assert.Equal(0, a.Code));
        Assert.DoesNotContain($"stat {Secret}", h.Files.Operations);
    }

    private static BrokerArgs A(int count) => BrokerArgs.Array(count);

    private static byte[] Start(PythonStdio stdio) => A(6).AddArrayHeader(1).Add("true").AddMapHeader(0).Add((string?)null)
        .Add((long)stdio).Add((long)PythonStdio.Pipe).Add((long)PythonStdio.Pipe).ToArray();

    private static byte[] Bytes(byte[]? payload)
    {
        var reader = new MessagePackReader(payload);
        Assert.Equal(1, reader.ReadArrayHeader());
        return reader.ReadBytes()!.Value.ToArray();
    }

    private static Task AssertRefused(Harness h, int errno, BrokerOperation operation, BrokerArgs args)
        => AssertRefused(h, errno, operation, args.ToArray());

    private static async Task AssertRefused(Harness h, int errno, BrokerOperation operation, byte[] args)
    {
        var answer = await h.SendAsync(operation, args);
        Assert.Equal(errno, answer.Code);
        Assert.False(string.IsNullOrEmpty(answer.Text));
        if (errno == Errno.EACCES)
        {
            Assert.Contains("PythonRuntime:Permissions:", answer.Text, StringComparison.Ordinal);
        }
    }

    /// <summary>A broker over an in-memory file system (<c>/data/secret.txt</c>, <c>/app/module.py</c>) with <c>ModulePaths</c> = <c>/app</c>.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly ConcurrentDictionary<long, TaskCompletionSource<WorkerMessage>> _answers = new();
        private long _next = 1_000_000;

        public Harness(IOAccess io, bool processes = false, bool createProcess = true, bool clock = false)
        {
            Memory = new InMemoryPythonFileSystem();
            Memory.CreateDirectory("/data");
            Memory.CreateDirectory("/app");
            Write(Secret, "secret");
            Write("/app/module.py", "x = 1");
            Files = new RecordingFileSystem(Memory);
            Processes = processes ? new RecordingProcessProvider(new ProcessPythonProcessProvider()) : null;
            var providers = new BrokeredProviders(Files, Processes, clock ? TimeProvider.System : null, io, createProcess, ["/app"]);
            Broker = new WorkerBroker(providers, m => Answer(m.CallId).TrySetResult(m), NullLogger.Instance, static () => 1);
        }

        public InMemoryPythonFileSystem Memory { get; }

        public RecordingFileSystem Files { get; }

        public RecordingProcessProvider? Processes { get; }

        public WorkerBroker Broker { get; }

        public string? Forge(long id, int operation, byte[]? payload)
            => Broker.Accept(new WorkerMessage { Kind = MessageKind.Request, CallId = id, Code = operation, Payload = payload });

        public Task<WorkerMessage> AnswerAsync(long id) => Answer(id).Task.WaitAsync(TimeSpan.FromSeconds(30));

        public Task<WorkerMessage> SendAsync(BrokerOperation operation, BrokerArgs args) => SendAsync(operation, args.ToArray());

        public async Task<WorkerMessage> SendAsync(BrokerOperation operation, byte[] args)
        {
            var id = Interlocked.Increment(ref _next);
            Assert.Null(Forge(id, (int)operation, args));
            var answer = await AnswerAsync(id);
            Assert.Equal(MessageKind.Response, answer.Kind);
            return answer;
        }

        public async Task<long> OpenAsync(string path, PythonOpenFlags flags)
        {
            var answer = await SendAsync(BrokerOperation.Open, A(3).Add(path).Add((long)flags).Add(0x1A4L).ToArray());
            Assert.Equal(0, answer.Code);
            var reader = new MessagePackReader(answer.Payload);
            Assert.Equal(5, reader.ReadArrayHeader());
            return reader.ReadInt64();
        }

        public string ReadFile(string path)
        {
            using var reader = new StreamReader(Memory.Open(path, PythonOpenFlags.Read));
            return reader.ReadToEnd();
        }

        public void Dispose() => Broker.Dispose();

        private TaskCompletionSource<WorkerMessage> Answer(long id)
            => _answers.GetOrAdd(id, static _ => new TaskCompletionSource<WorkerMessage>(TaskCreationOptions.RunContinuationsAsynchronously));

        private void Write(string path, string text)
        {
            using var stream = Memory.Open(path, PythonOpenFlags.Write | PythonOpenFlags.Create);
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
    }
}
