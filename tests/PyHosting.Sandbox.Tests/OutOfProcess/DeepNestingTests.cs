namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// CPython 3.11's own C code recurses without a depth check on deeply nested objects (hashing a tuple, <c>next()</c>
/// on nested iterators). Calls run on threads with a 64 MiB stack, so the depths below, which overflowed the thread
/// pool's 1.5 MiB stack from about 3·10⁴ levels, now complete; recursions CPython does check end in RecursionError at
/// any depth. Deeper structures still overflow (see the README's threat model): those are not tested here.
/// </summary>
public sealed class DeepNestingTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    public static TheoryData<string, string, int> Completing => new()
    {
        { "hash of a nested tuple", "t = ()\nfor _ in range(DEPTH): t = (t,)\nhash(t)", 1_000_000 },
        { "next() on nested filters", "it = iter([1])\nfor _ in range(DEPTH): it = filter(None, it)\nnext(it)", 1_000_000 },
        { "next() on nested maps", "it = iter([1])\nfor _ in range(DEPTH): it = map(abs, it)\nnext(it)", 300_000 },
        { "next() on nested zips", "it = iter([1])\nfor _ in range(DEPTH): it = zip(it)\nnext(it)", 1_000_000 },
        { "next() on nested chains", "import itertools\nit = iter([1])\nfor _ in range(DEPTH): it = itertools.chain(it)\nnext(it)", 1_000_000 },
        { "deleting nested lists", "l = []\nfor _ in range(DEPTH): l = [l]\ndel l", 1_000_000 },
        { "deleting nested maps", "it = iter([1])\nfor _ in range(DEPTH): it = map(abs, it)\ndel it", 1_000_000 },
        { "deleting nested partials", "import functools\np = None\nfor _ in range(DEPTH): p = functools.partial(print, p)\ndel p", 1_000_000 },
        { "deleting nested generators", "def g(it):\n    yield from it\nit = iter([1])\nfor _ in range(DEPTH): it = g(it)\ndel it", 1_000_000 },
    };

    public static TheoryData<string, string, int> RecursionErrors => new()
    {
        { "repr of a nested list", "l = []\nfor _ in range(DEPTH): l = [l]\nrepr(l)", 1_000_000 },
        { "pickle of a nested list", "import pickle\nl = []\nfor _ in range(DEPTH): l = [l]\npickle.dumps(l)", 1_000_000 },
        { "json of a nested list", "import json\nl = []\nfor _ in range(DEPTH): l = [l]\njson.dumps(l)", 1_000_000 },
        { "comparing nested tuples", "a = b = ()\nfor _ in range(DEPTH):\n    a = (a,)\n    b = (b,)\na == b", 1_000_000 },
        { "next() on nested generators", "def g(it):\n    yield from it\nit = iter([1])\nfor _ in range(DEPTH): it = g(it)\nnext(it)", 100_000 },
    };

    [Theory]
    [MemberData(nameof(Completing))]
    public async Task UncheckedCRecursion_AtMeasuredDepth_Completes(string what, string code, int depth)
    {
        var response = await fixture.Python.ExecAsync(Scoped(code, depth));

        Assert.True(response.Type is null, $"{what}: {response.Type} {response.Message}");
        await fixture.AssertAliveAsync();
    }

    [Theory]
    [MemberData(nameof(RecursionErrors))]
    public async Task CheckedCRecursion_AtAnyDepth_IsRecursionError(string what, string code, int depth)
    {
        var response = await fixture.Python.ExecAsync(Scoped(code, depth));

        Assert.True(response.PythonType == "RecursionError", $"{what}: {response.Type} {response.PythonType}");
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task Calls_RunOnStacksThatHoldTheHighestRecursionLimit()
    {
        var limit = await fixture.Python.EvalAsync("(__import__('sys').setrecursionlimit(1 << 30), __import__('sys').getrecursionlimit())[1]");

        Assert.Equal(10_000, limit.GetResult<int>());
    }

    /// <summary>Runs the code in a function of its own, so that the structure dies with the call.</summary>
    private static string Scoped(string code, int depth) =>
        "def _nest():\n" + string.Join('\n', code.Replace("DEPTH", depth.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Split('\n').Select(static l => "    " + l)) + "\n_nest()\n";
}

/// <summary>A TestHost whose Python code may start threads.</summary>
public sealed class CreateThreadFixture : TestHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() =>
        new Dictionary<string, string?> { ["PythonRuntime:Permissions:CreateThread"] = "true" };
}

/// <summary>A Python thread gets no less stack than a call, whatever <c>threading.stack_size</c> asked for: the shared recursion limit fits it.</summary>
public sealed class ThreadStackTests(CreateThreadFixture fixture) : IClassFixture<CreateThreadFixture>
{
    [Theory]
    [InlineData("threading.stack_size(32768)")]
    [InlineData("threading.stack_size(0)")]
    [InlineData("_thread.stack_size(65536)")]
    public async Task ThreadStartedAfterASmallStackSize_RecursesIntoRecursionError(string setting)
    {
        var response = await fixture.Python.ExecAsync($"import threading, _thread, sys\n{setting}\nsys.setrecursionlimit(1 << 30)");
        Assert.Null(response.Type);

        var result = await fixture.Python.ExecAsync("""
            import threading
            class L:
                def __lt__(self, other):
                    return sorted([L(), L()]) and True
            outcome = []
            def run():
                try:
                    sorted([L(), L()])
                except RecursionError:
                    outcome.append('RecursionError')
            t = threading.Thread(target=run)
            t.start()
            t.join()
            assert outcome == ['RecursionError'], outcome
            """);

        Assert.Null(result.Type);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task StackSize_ReportsAtLeastTheFloor()
    {
        var size = await fixture.Python.EvalAsync("(__import__('threading').stack_size(32768), __import__('threading').stack_size())[1]");

        Assert.Equal(64 * 1024 * 1024, size.GetResult<int>());
    }
}
