using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MessagePack;
using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Hosting.Isolation;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;
using Xunit.Abstractions;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// The host's broker fed generated requests of every <see cref="BrokerOperation"/> (and unknown ones), as a worker
/// running native code could send them: well-typed requests with hostile values (huge and negative ids, lengths and
/// ticks, paths with <c>..</c>, NUL, links out of the mount, very long ones, handles that are unknown, closed, of the
/// other kind, or timers), requests with wrong types, nil, missing and extra fields, garbage bytes, and floods of
/// requests in flight. The broker serves a real host directory (a mount) next to a canary tree it must never touch,
/// and a process provider that makes no process. Seeds are fixed; each run is bounded in requests and in time.
/// Asserted: <see cref="WorkerBroker.Accept"/> never throws, each request is either a protocol violation (the worker
/// would be killed: the fuzzer starts a new broker, as the host starts a new worker) or answered once, with a
/// well-formed response (an errno with a message, or a MessagePack result); nothing outside the mount changed; and
/// every broker's handle and timer tables are empty, and every stream and process it made disposed, once it ends.
/// </summary>
public sealed class BrokerFuzzTests(ITestOutputHelper output)
{
    private static readonly BrokerOperation[] Operations = Enum.GetValues<BrokerOperation>();

    /// <summary>The most one seed's run takes: it ends at 1,500 requests, or here if the machine is slow.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task GeneratedRequests_OfEveryOperation_AreAnsweredOrViolations_AndTouchNothingOutsideTheMount(int seed)
    {
        using var tree = new CanaryTree();
        var before = tree.Snapshot();
        var stats = new Stats();
        var budget = Stopwatch.StartNew();
        var random = new Random(seed);
        var brokers = 0;
        while (budget.Elapsed < Budget && stats.Requests < 1500)
        {
            tree.Reset();
            await using var session = new Session(tree, random, stats);
            brokers++;
            await session.RunAsync(400, budget);

            // The worker ends; requests still in flight finish afterwards, and what they made must not outlive them.
            session.End();
            await session.DrainAsync();
            Assert.Equal(0, session.Broker.OpenHandles);
            Assert.Equal(0, session.Broker.Timers);
            Assert.All(session.Files.Streams, static s => Assert.True(s.Disposed, "a stream the broker opened was not disposed"));
            Assert.All(session.Processes.Made, static p => Assert.True(p.Disposed, "a process the broker started was not disposed"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: {stats.Requests} requests to {brokers} brokers in {budget.ElapsedMilliseconds} ms: {stats.Answered} answered ({stats.Succeeded} succeeded), {stats.Violations} violations"));
        foreach (var operation in Operations)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {operation}: {stats.ByOperation.GetValueOrDefault(operation)} requests, {stats.SucceededByOperation.GetValueOrDefault(operation)} succeeded"));
        }

        foreach (var refusal in stats.Refusals)
        {
            output.WriteLine("  open refused: " + refusal);
        }

        Assert.Empty(stats.Failures);
        Assert.Equal(before, tree.Snapshot());

        // Reach: every operation was asked, and the well-typed requests got past parsing into the operations.
        Assert.All(Operations, o => Assert.True(stats.ByOperation.GetValueOrDefault(o) > 0, $"{o} was never asked"));
        Assert.All(
            [BrokerOperation.Open, BrokerOperation.Read, BrokerOperation.Write, BrokerOperation.GetStatus, BrokerOperation.ReadDirectory, BrokerOperation.StartProcess, BrokerOperation.CreateTimer, BrokerOperation.DisposeTimer],
            o => Assert.True(stats.SucceededByOperation.GetValueOrDefault(o) > 0, $"no {o} request succeeded"));
        Assert.True(Operations.Where(static o => o is >= BrokerOperation.ProcessRead and <= BrokerOperation.ProcessKill).Sum(o => stats.SucceededByOperation.GetValueOrDefault(o)) > 0, "no request on a process succeeded");
        Assert.True(stats.Violations > 0 && stats.Answered > stats.Violations);
    }

    [Fact]
    public async Task AFloodInFlight_WhenTheWorkerEnds_LeavesNoHandleNorTimer()
    {
        // Requests that open streams, start processes and create timers, all in flight when the broker is disposed
        // (the worker killed): those that finish afterwards must not leave what they made in the tables.
        using var tree = new CanaryTree();
        for (var round = 0; round < 20; round++)
        {
            var stats = new Stats();
            await using var session = new Session(tree, new Random(round), stats);
            for (var i = 1; i <= WorkerBroker.MaxInFlight; i++)
            {
                var args = (i % 3) switch
                {
                    0 => BrokerArgs.Array(3).Add("/inside.txt").Add((long)PythonOpenFlags.Read).Add(0L).ToArray(),
                    1 => Session.Start(),
                    _ => BrokerArgs.Array(3).Add((long)i).Add(TimeSpan.FromHours(1).Ticks).Add(0L).ToArray(),
                };
                var operation = (i % 3) switch { 0 => BrokerOperation.Open, 1 => BrokerOperation.StartProcess, _ => BrokerOperation.CreateTimer };
                Assert.Null(session.Forge(i, operation, args));
            }

            session.End();
            await session.DrainAsync();
            Assert.Equal(0, session.Broker.OpenHandles);
            Assert.Equal(0, session.Broker.Timers);
            Assert.All(session.Files.Streams, static s => Assert.True(s.Disposed));
            Assert.All(session.Processes.Made, static p => Assert.True(p.Disposed));
            Assert.Empty(stats.Failures);
        }
    }

    private sealed class Stats
    {
        public int Requests;
        public int Answered;
        public int Succeeded;
        public int Violations;
        public readonly ConcurrentDictionary<BrokerOperation, int> ByOperation = new();
        public readonly ConcurrentDictionary<BrokerOperation, int> SucceededByOperation = new();
        public readonly ConcurrentQueue<string> Failures = new();
        public readonly ConcurrentQueue<string> Refusals = new();
    }

    /// <summary>A mount (a host directory with files, a directory and a link out of it) beside a canary tree outside it.</summary>
    private sealed class CanaryTree : IDisposable
    {
        public CanaryTree()
        {
            Root = Directory.CreateTempSubdirectory("pyhosting-broker-fuzz-").FullName;
            Mount = Path.Combine(Root, "mount");
            Outside = Path.Combine(Root, "outside");
            Directory.CreateDirectory(Path.Combine(Mount, "dir"));
            Directory.CreateDirectory(Path.Combine(Outside, "deeper"));
            File.WriteAllText(Path.Combine(Mount, "inside.txt"), "inside");
            File.WriteAllText(Path.Combine(Mount, "dir", "nested.txt"), "nested");
            File.WriteAllText(Path.Combine(Outside, "canary.txt"), "canary");
            File.WriteAllText(Path.Combine(Outside, "deeper", "canary2.txt"), "canary2");
            File.WriteAllText(Path.Combine(Root, "beside.txt"), "beside");
            File.CreateSymbolicLink(Path.Combine(Mount, "out"), Outside);
            File.CreateSymbolicLink(Path.Combine(Mount, "canary-link.txt"), Path.Combine(Outside, "canary.txt"));
        }

        public string Root { get; }

        /// <summary>Puts back what earlier requests deleted, renamed or made unreadable inside the mount (a new worker's files).</summary>
        public void Reset()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            try
            {
                File.SetUnixFileMode(Mount, (UnixFileMode)0x1ED);
                foreach (var (name, text) in new[] { ("inside.txt", "inside"), ("dir/nested.txt", "nested") })
                {
                    var path = System.IO.Path.Combine(Mount, name);
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                    File.SetUnixFileMode(System.IO.Path.GetDirectoryName(path)!, (UnixFileMode)0x1ED);
                    if (Directory.Exists(path))
                    {
                        Directory.Delete(path, recursive: true);
                    }

                    File.Delete(path);
                    File.WriteAllText(path, text);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left as it is: the next session's requests fail more often.
            }
        }

        public string Mount { get; }

        public string Outside { get; }

        /// <summary>Everything outside the mount: each entry's path, kind, length, mode, time and contents (links not followed).</summary>
        public List<string> Snapshot()
        {
            var entries = new List<string>();
            Walk(Root, entries);
            entries.Add($"root {new DirectoryInfo(Root).UnixFileMode}");
            return entries;
        }

        private void Walk(string directory, List<string> entries)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                if (entry == Mount)
                {
                    continue;
                }

                var info = new FileInfo(entry);
                var isDirectory = info.Attributes.HasFlag(FileAttributes.Directory);
                var text = info.LinkTarget is { } target ? "-> " + target : isDirectory ? "dir" : File.ReadAllText(entry);
                entries.Add($"{entry} {info.Attributes} {info.UnixFileMode} {info.LastWriteTimeUtc.Ticks} {text}");
                if (isDirectory && info.LinkTarget is null)
                {
                    Walk(entry, entries);
                }
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temporary-file cleanup.
            }
            catch (UnauthorizedAccessException)
            {
                // A mode the fuzz set: left too.
            }
        }
    }

    /// <summary>One worker's broker, fed generated requests until it calls one a violation (the worker is killed) or the count is reached.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private static readonly string[] Paths =
        [
            "/", "/inside.txt", "/dir", "/dir/nested.txt", "/new.txt", "/dir/new", "/out", "/out/canary.txt", "/out/deeper/canary2.txt",
            "/canary-link.txt", "/out/new.txt", "/../outside/canary.txt", "/..", "/dir/../../beside.txt", "..", "inside.txt", "", "/inside.txt\0/x",
            "/dir//nested.txt", "/./inside.txt", "/inside.txt/", "/" + new string('a', 300), "/" + string.Join('/', Enumerable.Repeat("d", 3000)),
            new string('/', 5000), "/\udcff", "/dir/\u00e9", "/proc/self/environ", "/out/../out/canary.txt",
        ];

        private readonly ConcurrentDictionary<long, TaskCompletionSource<WorkerMessage>> _answers = new();
        private readonly ConcurrentDictionary<long, BrokerOperation> _pending = new();
        private readonly List<long> _handles = [];
        private readonly Random _random;
        private readonly Stats _stats;
        private long _next;
        private bool _ended;

        public Session(CanaryTree tree, Random random, Stats stats)
        {
            _random = random;
            _stats = stats;
            Files = new RecordingFileSystem(new PhysicalPythonFileSystem(tree.Mount));
            Processes = new FakeProcesses();
            var providers = new BrokeredProviders(Files, Processes, TimeProvider.System, IOAccess.All, CreateProcess: true, ["/dir"]);
            Broker = new WorkerBroker(providers, Answered, NullLogger.Instance, static () => 1);
        }

        public WorkerBroker Broker { get; }

        public RecordingFileSystem Files { get; }

        public FakeProcesses Processes { get; }

        public static byte[] Start() => BrokerArgs.Array(6).AddArrayHeader(2).Add("prog").Add("--x").AddMapHeader(1).Add("K").Add("V").Add((string?)null)
            .Add((long)PythonStdio.Pipe).Add((long)PythonStdio.Pipe).Add((long)PythonStdio.Pipe).ToArray();

        public string? Forge(long id, BrokerOperation operation, byte[]? payload)
        {
            _stats.Requests++;
            _stats.ByOperation.AddOrUpdate(operation, 1, static (_, n) => n + 1);
            _pending[id] = operation;
            string? violation;
            try
            {
                violation = Broker.Accept(new WorkerMessage { Kind = MessageKind.Request, CallId = id, Code = (int)operation, Payload = payload });
            }
#pragma warning disable CA1031 // Any exception out of Accept is the failure the fuzz looks for.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _stats.Failures.Enqueue($"{operation} request {Hex(payload)}: Accept threw {e.GetType().Name}: {e.Message}");
                violation = "threw";
            }

            if (violation is not null)
            {
                _pending.TryRemove(id, out _);
                _stats.Violations++;
                if (violation.Length == 0)
                {
                    _stats.Failures.Enqueue($"{operation}: a violation without a reason");
                }
            }

            return violation;
        }

        public async Task RunAsync(int count, Stopwatch budget)
        {
            for (var i = 0; i < count && budget.Elapsed < Budget; i++)
            {
                var id = ++_next;
                var (operation, payload) = Generate();
                if (Forge(id, operation, payload) is not null)
                {
                    return; // the worker is killed
                }

                // Mostly one at a time (so that handles flow into later requests), sometimes several in flight.
                if (_random.Next(4) != 0)
                {
                    var answer = await AnswerAsync(id);
                    Learn(operation, answer);
                }
            }
        }

        /// <summary>The worker ends: the broker is disposed, then every answer still due arrives.</summary>
        public void End()
        {
            _ended = true;
            Broker.Dispose();
        }

        public async Task DrainAsync()
        {
            foreach (var id in _pending.Keys.ToList())
            {
                await AnswerAsync(id);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_ended)
            {
                End();
            }

            await DrainAsync();
            Broker.Dispose();
        }

        private async Task<WorkerMessage> AnswerAsync(long id)
        {
            var answer = await _answers.GetOrAdd(id, static _ => new TaskCompletionSource<WorkerMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(30));
            _pending.TryRemove(id, out _);
            return answer;
        }

        private void Answered(WorkerMessage answer)
        {
            var operation = _pending.GetValueOrDefault(answer.CallId);
            if (answer.Kind == MessageKind.TimerFired)
            {
                // A timer the worker created fires: not an answer (the frame names the worker's timer).
                return;
            }

            if (!_answers.GetOrAdd(answer.CallId, static _ => new TaskCompletionSource<WorkerMessage>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(answer))
            {
                _stats.Failures.Enqueue($"{operation}: request {answer.CallId} answered twice");
                return;
            }

            Interlocked.Increment(ref _stats.Answered);
            if (answer.Kind != MessageKind.Response)
            {
                _stats.Failures.Enqueue($"{operation}: a {answer.Kind} frame for request {answer.CallId}");
            }
            else if (answer.Code != 0)
            {
                if (operation is BrokerOperation.Open && _stats.Refusals.Count < 5)
                {
                    _stats.Refusals.Enqueue($"{answer.Code} {answer.Text}");
                }

                if (answer.Code is < 1 or > 4095 || string.IsNullOrEmpty(answer.Text))
                {
                    _stats.Failures.Enqueue($"{operation}: errno {answer.Code} with message '{answer.Text}'");
                }
            }
            else
            {
                Interlocked.Increment(ref _stats.Succeeded);
                _stats.SucceededByOperation.AddOrUpdate(operation, 1, static (_, n) => n + 1);
                if (answer.Payload is { } payload)
                {
                    try
                    {
                        var reader = new MessagePackReader(payload);
                        reader.Skip();
                        if (!reader.End)
                        {
                            _stats.Failures.Enqueue($"{operation}: a result with trailing bytes");
                        }
                    }
                    catch (MessagePackSerializationException e)
                    {
                        _stats.Failures.Enqueue($"{operation}: a result that is not MessagePack ({e.Message})");
                    }
                }
            }
        }

        /// <summary>Keeps the handles the broker gave (a stream or a process), so that later requests use them, closed or not.</summary>
        private void Learn(BrokerOperation operation, WorkerMessage answer)
        {
            if (answer.Code != 0 || answer.Payload is null)
            {
                return;
            }

            if (operation is BrokerOperation.Open or BrokerOperation.StartProcess)
            {
                var reader = new MessagePackReader(answer.Payload);
                if (reader.ReadArrayHeader() > 0)
                {
                    _handles.Add(reader.ReadInt64());
                }
            }
        }

        private (BrokerOperation, byte[]?) Generate()
        {
            // Most requests are well-typed, so that a worker lives long enough for its handles to flow into later
            // requests; the malformed ones end it (a violation), as the host would kill it.
            var roll = _random.Next(100);
            if (roll < 1)
            {
                // An operation that does not exist.
                return ((BrokerOperation)_random.Next(-5, 200), Mutated(Any()));
            }

            var operation = Operations[_random.Next(Operations.Length)];
            if (roll < 16 && _handles.Count > 0)
            {
                // Something done with a handle held (maybe closed since, maybe of the other kind).
                var handle = _handles[^(1 + _random.Next(Math.Min(3, _handles.Count)))];
                return _random.Next(2) == 0
                    ? (BrokerOperation.Read, BrokerArgs.Array(3).Add(handle).Add(16L).Add(_random.Next(2) == 0 ? -1L : 0L).ToArray())
                    : (BrokerOperation.Write, BrokerArgs.Array(3).Add(handle).Add("written"u8.ToArray()).Add(-1L).ToArray());
            }

            if (roll < 10)
            {
                // Something worth holding: a stream or a process.
                return _random.Next(2) == 0
                    ? (BrokerOperation.Open, BrokerArgs.Array(3).Add(Paths[_random.Next(1, 4)]).Add((long)(_random.Next(2) == 0 ? PythonOpenFlags.Read : PythonOpenFlags.ReadWrite)).Add(0x1A4L).ToArray())
                    : (BrokerOperation.StartProcess, Start());
            }

            if (roll < 94)
            {
                return (operation, Typed(operation));
            }

            if (roll < 97)
            {
                return (operation, Any());
            }

            // Garbage: a typed request cut short, with bytes flipped, or nothing at all.
            return (operation, Mutated(Typed(operation)));
        }

        private byte[]? Mutated(byte[]? payload)
        {
            if (payload is null || payload.Length == 0 || _random.Next(5) == 0)
            {
                return _random.Next(2) == 0 ? null : RandomBytes(_random.Next(0, 16));
            }

            var copy = payload.ToArray();
            switch (_random.Next(3))
            {
                case 0:
                    return copy[.._random.Next(copy.Length)];
                case 1:
                    copy[_random.Next(copy.Length)] = (byte)_random.Next(256);
                    return copy;
                default:
                    return [.. copy, .. RandomBytes(_random.Next(1, 8))];
            }
        }

        private byte[] RandomBytes(int n)
        {
            var bytes = new byte[n];
            _random.NextBytes(bytes);
            return bytes;
        }

        /// <summary>Arguments of the operation's own arity and types, with hostile values.</summary>
        private byte[] Typed(BrokerOperation operation)
        {
            var a = operation switch
            {
                BrokerOperation.GetStatus => BrokerArgs.Array(2).Add(Path()).Add(Bool()),
                BrokerOperation.Open => BrokerArgs.Array(3).Add(Path()).Add(Flags()).Add(Mode()),
                BrokerOperation.ReadDirectory or BrokerOperation.DeleteDirectory or BrokerOperation.DeleteFile or BrokerOperation.ReadSymbolicLink or BrokerOperation.GetHostPath
                    => BrokerArgs.Array(1).Add(Path()),
                BrokerOperation.CreateDirectory => BrokerArgs.Array(2).Add(Path()).Add(Mode()),
                BrokerOperation.Rename => BrokerArgs.Array(3).Add(Path()).Add(Path()).Add(Bool()),
                BrokerOperation.CreateSymbolicLink => BrokerArgs.Array(2).Add(Path()).Add(Path()),
                BrokerOperation.SetTimes => BrokerArgs.Array(4).Add(Path()).Add(NullableLong()).Add(NullableLong()).Add(Bool()),
                BrokerOperation.SetMode => BrokerArgs.Array(3).Add(Path()).Add(Mode()).Add(Bool()),
                BrokerOperation.Read => BrokerArgs.Array(3).Add(HandleValue()).Add(Size()).Add(Position()),
                BrokerOperation.Write => BrokerArgs.Array(3).Add(HandleValue()).Add(Data()).Add(Position()),
                BrokerOperation.Seek => BrokerArgs.Array(3).Add(HandleValue()).Add(Position()).Add((long)_random.Next(-2, 5)),
                BrokerOperation.GetLength or BrokerOperation.Flush or BrokerOperation.Close or BrokerOperation.GetPosition
                    or BrokerOperation.ProcessCloseInput or BrokerOperation.ProcessExitCode or BrokerOperation.ProcessWait or BrokerOperation.ProcessKill
                    => BrokerArgs.Array(1).Add(HandleValue()),
                BrokerOperation.SetLength => BrokerArgs.Array(2).Add(HandleValue()).Add(Position()),
                BrokerOperation.StartProcess => StartArgs(),
                BrokerOperation.ProcessRead => BrokerArgs.Array(3).Add(HandleValue()).Add((long)_random.Next(-1, 4)).Add(Size()),
                BrokerOperation.ProcessWrite => BrokerArgs.Array(2).Add(HandleValue()).Add(Data()),
                BrokerOperation.GetUtcNow or BrokerOperation.GetTimestamp => BrokerArgs.Array(0),
                BrokerOperation.CreateTimer or BrokerOperation.ChangeTimer => BrokerArgs.Array(3).Add(Timer()).Add(Ticks()).Add(Ticks()),
                BrokerOperation.DisposeTimer => BrokerArgs.Array(1).Add(Timer()),
                _ => BrokerArgs.Array(0),
            };
            return a.ToArray();
        }

        private BrokerArgs StartArgs()
        {
            var a = BrokerArgs.Array(6);
            var count = _random.Next(0, 4);
            a.AddArrayHeader(count);
            for (var i = 0; i < count; i++)
            {
                a.Add(_random.Next(3) == 0 ? Path() : "prog");
            }

            var variables = _random.Next(0, 3);
            a.AddMapHeader(variables);
            for (var i = 0; i < variables; i++)
            {
                a.Add(_random.Next(2) == 0 ? "K" + i.ToString(CultureInfo.InvariantCulture) : "A\0=B").Add(_random.Next(2) == 0 ? "v" : (string?)null);
            }

            return a.Add(_random.Next(3) == 0 ? (string?)null : Path()).Add((long)_random.Next(-1, 9)).Add((long)_random.Next(-1, 9)).Add((long)_random.Next(-1, 9));
        }

        private string Path() => _random.Next(3) == 0 ? Paths[_random.Next(1, 6)] : _random.Next(20) == 0 ? new string('x', _random.Next(1, 70_000)) : Paths[_random.Next(Paths.Length)];

        private bool Bool() => _random.Next(2) == 0;

        private long Flags() => _random.Next(4) switch
        {
            0 => (long)PythonOpenFlags.Read,
            1 => (long)(PythonOpenFlags.Write | PythonOpenFlags.Create | (PythonOpenFlags)_random.Next(0, 1 << 12)),
            2 => _random.NextInt64(long.MinValue, long.MaxValue),
            _ => (long)(PythonOpenFlags.ReadWrite | PythonOpenFlags.Truncate),
        };

        private long Mode() => Pick(0x1A4L, 0x1FFL, -1L, 0x10000L, long.MaxValue, long.MinValue, 0xFFFL);

        private long Size() => Pick(0L, 1L, 4096L, int.MaxValue, long.MaxValue, -1L, long.MinValue, WorkerBroker.MaxReadLength + 1L);

        private long Position() => Pick(-1L, 0L, 3L, long.MaxValue, long.MinValue, int.MaxValue + 1L, -2L);

        private long? NullableLong() => _random.Next(5) == 0 ? null : Pick(0L, -1L, long.MaxValue, long.MinValue, DateTimeOffset.UtcNow.Ticks, DateTimeOffset.MaxValue.Ticks + 1);

        private long Ticks() => Pick(-1L, 0L, 1L, TimeSpan.FromMilliseconds(1).Ticks, long.MaxValue, long.MinValue, uint.MaxValue * 10_000L, -2L);

        private long Timer() => Pick(1L, 2L, 3L, 0L, -1L, long.MaxValue, long.MinValue);

        private byte[] Data() => _random.Next(10) == 0 ? new byte[_random.Next(1, 3 << 20)] : RandomBytes(_random.Next(0, 64));

        /// <summary>A handle: one the broker gave (maybe since closed, maybe of the other kind), or one it never gave.</summary>
        private long HandleValue()
        {
            // The list keeps handles once closed: later requests name them again.
            if (_handles.Count > 0 && _random.Next(3) != 0)
            {
                return _handles[_random.Next(_handles.Count)];
            }

            return Pick(0L, -1L, 1L, 12345L, long.MaxValue, long.MinValue);
        }

        private long Pick(params long[] values) => values[_random.Next(values.Length)];

        /// <summary>A value of any MessagePack type, in an array of any length.</summary>
        private byte[] Any()
        {
            var count = _random.Next(0, 8);
            var a = BrokerArgs.Array(count);
            for (var i = 0; i < count; i++)
            {
                switch (_random.Next(9))
                {
                    case 0:
                        a.Add((string?)null);
                        break;
                    case 1:
                        a.Add(Path());
                        break;
                    case 2:
                        a.Add(_random.NextInt64(long.MinValue, long.MaxValue));
                        break;
                    case 3:
                        a.Add(Bool());
                        break;
                    case 4:
                        a.Add(RandomBytes(_random.Next(0, 32)));
                        break;
                    case 5:
                        a.AddArrayHeader(1).Add(HandleValue());
                        break;
                    case 6:
                        a.AddMapHeader(1).Add("k").Add(1L);
                        break;
                    case 7:
                        a.Add(HandleValue());
                        break;
                    default:
                        a.Add((long?)null);
                        break;
                }
            }

            return a.ToArray();
        }

        private static string Hex(byte[]? payload) => payload is null ? "nil" : Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 48)));
    }

    /// <summary>A process provider that makes no process: each start returns a process over memory streams, tracked.</summary>
    private sealed class FakeProcesses : IPythonProcessProvider
    {
        public ConcurrentQueue<FakeProcess> Made { get; } = new();

        public IPythonProcess Start(PythonProcessStartInfo startInfo)
        {
            var process = new FakeProcess();
            Made.Enqueue(process);
            return process;
        }
    }

    private sealed class FakeProcess : IPythonProcess
    {
        private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Id => 4242;

        public Stream? StandardInput { get; } = new MemoryStream();

        public Stream? StandardOutput { get; } = new MemoryStream("output"u8.ToArray());

        public Stream? StandardError { get; } = new MemoryStream();

        public int? ExitCode => _exit.Task.IsCompleted ? _exit.Task.Result : null;

        public bool Disposed { get; private set; }

        public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);

        public void Kill() => _exit.TrySetResult(137);

        public void Dispose()
        {
            Disposed = true;
            _exit.TrySetResult(137);
        }
    }
}
