using System.Text.RegularExpressions;
using PyHosting.Internal;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// The Managed shim's namespace is reachable from Python (the <c>__globals__</c> of its functions), and
/// <c>sys.modules</c> is Python's to change (HOSTILE.md family 15). Deleting or replacing any name the shim
/// defines, or a module the host once looked up by name, must leave every operation either working or failing
/// with a Python exception: the host never calls a missing object (a crash) nor Python code put in its way.
/// These run in a TestHost because a failure would kill the process.
/// </summary>
public sealed partial class ShimNamespaceTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    /// <summary>Imported before the namespace is changed, so that the operations need no import of their own.</summary>
    private const string Imports = "import os, sys, io, importlib";

    /// <summary>The operations that go through the shim or through host code that used to look names up.</summary>
    private const string Operations = """
        results = []
        def attempt(label, f):
            try:
                f()
                results.append(label + ':ok')
            except BaseException as e:
                results.append(label + ':' + type(e).__name__)
        home = os.path.dirname(os.__file__)
        def fresh_import():
            sys.modules.pop('colorsys', None)
            importlib.import_module('colorsys')
        attempt('open', lambda: open(os.__file__, 'rb').close())
        attempt('open-text', lambda: open(os.__file__).read(10))
        attempt('io.open', lambda: io.open(os.__file__, 'rb').close())
        attempt('FileIO', lambda: io.FileIO(os.__file__).close())
        attempt('scandir', lambda: list(os.scandir(home)))
        attempt('listdir', lambda: os.listdir(home))
        attempt('walk', lambda: next(os.walk(home)))
        attempt('import', fresh_import)
        attempt('secret', lambda: open('/data/secret.txt'))
        """;

    public static TheoryData<string, string> ShimNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in DefinedNames(EmbeddedPython.Source("pyhosting_managed.py")))
        {
            data.Add(name, "delete");
            data.Add(name, "replace");
        }

        return data;
    }

    [Fact]
    public void TheShim_DefinesTheNamesTheHostCalls()
    {
        var names = DefinedNames(EmbeddedPython.Source("pyhosting_managed.py")).ToList();

        Assert.All(Internal.Managed.Interception.ManagedShim.HostNames, n => Assert.Contains(n, names));
    }

    [Theory]
    [MemberData(nameof(ShimNames))]
    public async Task AShimNameDeletedOrReplaced_BreaksNothingOfTheHost(string name, string change)
    {
        var mutation = change == "delete" ? $"del g[{Quote(name)}]" : $"g[{Quote(name)}] = None";
        var response = await fixture.Python.ExecAsync($$"""
            {{Imports}}
            with os.scandir(os.path.dirname(os.__file__)) as _entries:
                g = type(next(_entries)).inode.__globals__
            assert 'make_scandir' in g and {{Quote(name)}} in g, sorted(g)
            _missing = object()
            _saved = g.get({{Quote(name)}}, _missing)
            try:
                {{mutation}}
                {{Indent(Operations)}}
            finally:
                g[{{Quote(name)}}] = _saved
            """);

        Assert.True(response.Ok, $"{response.PythonType}: {response.PythonMessage}");
        var results = (await fixture.Python.EvalAsync("results")).GetResult<List<string>>()!;
        Assert.Equal(9, results.Count);
        Assert.DoesNotContain("secret:ok", results);
        await fixture.AssertAliveAsync();
    }

    [Theory]
    [InlineData("_io")]
    [InlineData("io")]
    [InlineData("posix")]
    [InlineData("os")]
    [InlineData("traceback")]
    [InlineData("types")]
    [InlineData("sys")]
    public async Task AModuleReplacedInSysModules_BreaksNothingOfTheHost(string module)
    {
        var response = await fixture.Python.ExecAsync($$"""
            {{Imports}}
            _saved_module = sys.modules.get({{Quote(module)}})
            sys.modules[{{Quote(module)}}] = None
            try:
                {{Indent(Operations)}}
            finally:
                sys.modules[{{Quote(module)}}] = _saved_module
            """);

        Assert.True(response.Ok, $"{response.PythonType}: {response.PythonMessage}");
        var results = (await fixture.Python.EvalAsync("results")).GetResult<List<string>>()!;
        Assert.Equal(9, results.Count);
        Assert.DoesNotContain("secret:ok", results);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task TheHost_NeverRunsPythonsImportForItsOwnWork()
    {
        var response = await fixture.Python.ExecAsync("""
            import builtins, importlib, sys
            host_imports = []
            _original_import = builtins.__import__
            def _recording_import(name, *args, **kwargs):
                host_imports.append(name)
                return _original_import(name, *args, **kwargs)
            builtins.__import__ = _recording_import
            try:
                sys.modules.pop('colorsys', None)
                importlib.import_module('colorsys')
                try:
                    open('/data/secret.txt')
                except PermissionError:
                    pass
            finally:
                builtins.__import__ = _original_import
            """);

        // The error is formatted by the host after the call, while the recording import is still in place.
        var failed = await fixture.Python.ExecAsync("builtins.__import__ = _recording_import\nraise ValueError('formatted by the host')");
        var restored = await fixture.Python.ExecAsync("builtins.__import__ = _original_import");

        Assert.True(response.Ok, $"{response.PythonType}: {response.PythonMessage}");
        Assert.True(restored.Ok, $"{restored.PythonType}: {restored.PythonMessage}");
        Assert.Equal("ValueError", failed.PythonType);
        Assert.Contains("formatted by the host", failed.Traceback, StringComparison.Ordinal);
        Assert.Empty((await fixture.Python.EvalAsync("host_imports")).GetResult<List<string>>()!);
        await fixture.AssertAliveAsync();
    }

    /// <summary>The names a module's top level binds: functions, classes, imports and assignments.</summary>
    private static IEnumerable<string> DefinedNames(string source)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in TopLevelBinding().Matches(source))
        {
            var text = m.Groups["def"].Success ? m.Groups["def"].Value
                : m.Groups["alias"].Success ? m.Groups["alias"].Value
                : m.Groups["import"].Success ? m.Groups["import"].Value
                : m.Groups["targets"].Value;
            foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static string Quote(string name) => "'" + name + "'";

    private static string Indent(string code) => string.Join('\n', code.TrimEnd().Split('\n').Select((l, i) => i == 0 ? l : "    " + l));

    [GeneratedRegex(@"^(?:(?:def|class)\s+(?<def>\w+)|import\s+(?<import>\w+)(?:\s+as\s+(?<alias>\w+))?|(?<targets>\w+(?:\s*,\s*\w+)*)\s*=[^=])", RegexOptions.Multiline)]
    private static partial Regex TopLevelBinding();
}
