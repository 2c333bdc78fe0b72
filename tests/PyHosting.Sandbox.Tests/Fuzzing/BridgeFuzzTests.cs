using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;
using PyHosting.Internal.Managed;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;
using Xunit.Abstractions;

namespace PyHosting.Sandbox.Tests.Fuzzing;

/// <summary>
/// Every bridge-backed callable of the Managed backend — module functions, fresh <c>_imp.create_builtin</c> copies,
/// methods and descriptors of the types the runtime defines or patches, unbound from their <c>__dict__</c> too, and
/// the C methods it replaced — called with arities 0 to n+2 and hostile values, in TestHost processes: each call
/// returns or raises a proper Python exception, and the host lives.
/// </summary>
public sealed class BridgeFuzzTests(ITestOutputHelper output)
{
    /// <summary>Callables that may wait for real with valid arguments (a sleep, a select, signal.pause): their waiting calls are skipped.</summary>
    private static readonly HashSet<string> Waiting = new(StringComparer.Ordinal) { "sleep", "select", "pause" };

    [Fact]
    public async Task EveryBridgeCallable_WithHostileArguments_RaisesOrReturns_AndTheHostLives()
    {
        var fuzzer = new BridgeFuzzer(new Dictionary<string, string?>());

        await fuzzer.RunAsync();

        AssertReach(fuzzer, ["function", "copy", "bound", "unbound", "rebound", "descriptor", "hardened", "c-method", "c-attribute"]);
        Assert.True(fuzzer.Failures.Count == 0, $"{fuzzer.Failures.Count} failing calls:\n{string.Join('\n', fuzzer.Failures)}");
    }

    [Fact]
    public async Task EveryBridgeCallable_WithHostileArguments_WhenEverythingIsAllowedOnAnInMemoryRoot_RaisesOrReturns_AndTheHostLives()
    {
        // Calls that succeed reach the providers: the whole file system the runtime sees is in memory. Fresh module
        // copies hold the same functions, and CPython's own methods do not depend on the permissions: left out.
        string[] kinds = ["function", "bound", "unbound", "rebound", "descriptor", "hardened"];
        var fuzzer = new BridgeFuzzer(
            new Dictionary<string, string?>
            {
                ["PythonRuntime:Permissions:IO"] = "All",
                ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/",
                ["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true",
            },
            kinds);

        await fuzzer.RunAsync();

        AssertReach(fuzzer, kinds);
        Assert.True(fuzzer.Failures.Count == 0, $"{fuzzer.Failures.Count} failing calls:\n{string.Join('\n', fuzzer.Failures)}");
    }

    /// <summary>The names of the managed posix functions, from the runtime's own table.</summary>
    private static IEnumerable<string> PosixFunctionNames()
    {
        var sink = new OutputSink(null, null, NullLogger.Instance, NullLogger.Instance);
        var backend = new ManagedBackend(new PythonRuntimeOptions(), new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance, () => sink);
        return new PosixFunctions(backend).Table().Keys;
    }

    /// <summary>The fuzzer cannot fuzz nothing: what it found and called is checked against the runtime's own tables.</summary>
    private void AssertReach(BridgeFuzzer fuzzer, IReadOnlyCollection<string> kinds)
    {
        var names = fuzzer.Targets.Select(static t => t.Name).ToHashSet(StringComparer.Ordinal);
        var byKind = fuzzer.Targets.GroupBy(static t => t.Kind).ToDictionary(static g => g.Key, static g => g.Count(), StringComparer.Ordinal);
        var made = fuzzer.Reach.Values.Sum(static r => r.Made);
        var skipped = fuzzer.Reach.Values.Sum(static r => r.Skipped);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fuzzer.Targets.Count} targets ({string.Join(", ", byKind.OrderBy(static k => k.Key).Select(static k => $"{k.Key}: {k.Value}"))})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{made} calls made (arities 0..{fuzzer.MaxArity}, {fuzzer.Values} hostile values, each in each position), {skipped} skipped as legitimate waits, {fuzzer.Processes} host processes"));
        foreach (var failure in fuzzer.Failures)
        {
            output.WriteLine(failure);
        }

        // Every managed posix function, on the module and on a fresh copy of it.
        foreach (var function in PosixFunctionNames())
        {
            Assert.Contains("posix." + function, names);
            if (kinds.Contains("copy"))
            {
                Assert.Contains("create_builtin(posix)." + function, names);
            }
        }

        // Every C method of the managed FileIO, unbound from the type's __dict__ and bound to a live file; its slots and attributes.
        foreach (var method in FileIOType.MethodNames.Append("__init__").Append("__repr__"))
        {
            Assert.Contains($"io.FileIO.{method} (from __dict__)", names);
            Assert.Contains($"io.FileIO.{method} (bound)", names);
        }

        // The socket module's refusals (name resolution included), on the module and a fresh copy, and sqlite3's connect.
        foreach (var function in new[] { "getaddrinfo", "gethostbyname", "gethostname" })
        {
            Assert.Contains("_socket." + function, names);
            if (kinds.Contains("copy"))
            {
                Assert.Contains("create_builtin(_socket)." + function, names);
            }
        }

        Assert.Contains("_sqlite3.connect", names);

        // The emulated fcntl's functions, on the module and on a fresh copy of it.
        foreach (var function in new[] { "fcntl", "flock", "lockf", "ioctl" })
        {
            Assert.Contains("fcntl." + function, names);
            if (kinds.Contains("copy"))
            {
                Assert.Contains("create_builtin(fcntl)." + function, names);
            }
        }

        // select.epoll's bridge functions, as the class holds them and unbound.
        foreach (var function in new[] { "_create", "_control", "_wait", "_close", "_check" })
        {
            Assert.Contains($"select.epoll.{function} (bound)", names);
            Assert.Contains($"select.epoll.{function} (__func__ from __dict__)", names);
        }

        foreach (var attribute in new[] { "closed", "closefd", "mode", "_blksize" })
        {
            Assert.Contains($"io.FileIO.{attribute}.__get__", names);
            Assert.Contains($"io.FileIO.{attribute}.__set__", names);
        }

        Assert.Equal(kinds.Order(), byKind.Keys.Order());
        foreach (var kind in kinds)
        {
            Assert.True(byKind.GetValueOrDefault(kind) > 0, $"no target of kind {kind}");
        }

        // Every target got its whole plan (but a legitimate wait), at every arity.
        var everyArity = Enumerable.Range(0, fuzzer.MaxArity + 1).ToList();
        foreach (var target in fuzzer.Targets)
        {
            Assert.True(fuzzer.Reach.TryGetValue(target.Name, out var reach), $"{target.Name} was never called");
            var waits = Waiting.Contains(target.Name[(target.Name.LastIndexOf('.') + 1)..].Split(' ')[0]);
            Assert.True(reach.Made + reach.Skipped >= target.PlannedCalls, $"{target.Name}: {reach.Made + reach.Skipped} of {target.PlannedCalls} calls");
            Assert.True(waits ? reach.Made > 0 : reach.Skipped == 0, $"{target.Name}: {reach.Skipped} calls skipped");
            if (!waits)
            {
                Assert.Equal(everyArity, reach.Arities);
            }
        }

        Assert.True(made >= fuzzer.Targets.Sum(static t => t.PlannedCalls) - skipped);
        Assert.True(fuzzer.Targets.Min(static t => t.PlannedCalls) >= 1 + (fuzzer.Values * fuzzer.MaxArity), "a plan holds fewer calls than each value in each position");
    }
}
