namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>A TestHost with the default permissions, for scripts that would kill the process if the defence failed.</summary>
public sealed class DefaultPermissionsFixture : TestHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>();
}

/// <summary>
/// Deep recursion through C at the highest recursion limit Python can obtain overflows no thread stack
/// (HOSTILE.md family 14): it is a RecursionError, and the process keeps serving.
/// </summary>
public sealed class CrashResistanceTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    public static TheoryData<string, string> RecursionThroughC => new()
    {
        { "sort inside __lt__", "class L:\n    def __lt__(self, other):\n        return sorted([L(), L()]) and True\nsorted([L(), L()])" },
        { "key function", "def g(n):\n    return sorted([1, 2], key=lambda x: g(n + 1))\ng(0)" },
        { "__getattr__", "class A:\n    def __getattr__(self, name):\n        return getattr(A(), name)\nA().x" },
        { "map", "def f(n):\n    return list(map(f, [n + 1]))\nf(0)" },
        { "__repr__", "class R:\n    def __repr__(self):\n        return repr(R())\nrepr(R())" },
    };

    [Theory]
    [MemberData(nameof(RecursionThroughC))]
    public async Task RecursionThroughC_AtTheHighestLimit_IsRecursionError(string what, string code)
    {
        var response = await fixture.Python.ExecAsync("import sys\nsys.setrecursionlimit(1 << 30)\n" + code);

        Assert.Equal("RecursionError", response.PythonType);
        await fixture.AssertAliveAsync();
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task RecursionThroughC_AfterRestoringSysFromCPythonsCopy_IsRecursionError()
    {
        var response = await fixture.Python.ExecAsync("""
            import _imp, importlib.machinery, sys
            _imp.create_builtin(importlib.machinery.ModuleSpec('sys', None))
            sys.setrecursionlimit(1 << 30)
            class L:
                def __lt__(self, other):
                    return sorted([L(), L()]) and True
            sorted([L(), L()])
            """);

        Assert.Equal("RecursionError", response.PythonType);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task CatastrophicRegex_EndsAtTheTimeout()
    {
        var response = await fixture.Python.ExecAsync("import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')", timeoutMs: 2000);

        Assert.Equal("OperationCanceledException", response.Type);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task StandardOutputWhoseFlushNeverReturns_HangsNoCall()
    {
        var response = await fixture.Python.ExecAsync("""
            import sys
            class Stuck:
                def write(self, s):
                    return len(s)
                def flush(self):
                    while True:
                        pass
            sys.stdout = Stuck()
            """, timeoutMs: 2000);

        // The runtime never flushes Python's streams itself: a stream that hangs in flush() hangs only code that calls it.
        Assert.Null(response.Type);
        await fixture.AssertAliveAsync();
    }
}
