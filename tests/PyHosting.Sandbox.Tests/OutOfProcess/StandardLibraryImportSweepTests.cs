using System.Text.Json;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// Under the default permissions, every pure-Python module of the standard library is imported, and none
/// fails for a sandbox reason unless it needs one of the native extensions the Managed backend restricts by
/// design (<see cref="ModuleClassification.RestrictedExtensions"/>), in which case the refusal names that
/// extension and the configuration key. The module list is read from the Python home at run time, so a new
/// module is swept without a change here.
/// </summary>
public sealed class StandardLibraryImportSweepTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    /// <summary>
    /// Walks the standard library's directory (not its tests, GUI packages or third-party site directories) and
    /// imports each module, recording every failure with its exception type and message. Modules whose import is
    /// a program (<c>antigravity</c> opens a browser, <c>this</c> prints, <c>turtle</c> needs a display) and
    /// <c>__main__</c> files are not imported.
    /// </summary>
    private const string Sweep = """
        import importlib as _il, json as _json, os as _os
        _root = _os.path.dirname(_os.__file__)
        _names = []
        for _dir, _subs, _files in _os.walk(_root):
            _rel = _os.path.relpath(_dir, _root)
            _parts = [] if _rel == '.' else _rel.split(_os.sep)
            if _parts and (_parts[0] in ('test', 'idlelib', 'tkinter', 'turtledemo', 'site-packages', 'dist-packages', 'lib-dynload')
                           or 'test' in _parts or 'tests' in _parts or '__pycache__' in _parts
                           or not _os.path.exists(_os.path.join(_dir, '__init__.py'))):
                _subs[:] = []
                continue
            _subs.sort()
            for _file in sorted(_files):
                if _file.endswith('.py') and _file != '__main__.py':
                    _stem = _file[:-3]
                    _names.append('.'.join(_parts + ([] if _stem == '__init__' else [_stem])))
        _failed = {}
        for _name in _names:
            if not _name or _name in ('antigravity', 'this', '__hello__', '__phello__', 'turtle'):
                continue
            try:
                _il.import_module(_name)
            except BaseException as _e:
                _failed[_name] = [type(_e).__name__, str(_e)]
        _sweep_result = _json.dumps({'count': len(_names), 'failed': _failed})
        """;

    [Fact]
    public async Task EveryPureStandardModule_ImportsOrNamesTheRestrictedExtensionItNeeds()
    {
        (await fixture.Python.ExecAsync(Sweep, timeoutMs: 120_000)).EnsureOk();
        var json = (await fixture.Python.EvalAsync("_sweep_result")).GetResult<string>()!;
        using var document = JsonDocument.Parse(json);
        var count = document.RootElement.GetProperty("count").GetInt32();
        var failures = document.RootElement.GetProperty("failed").EnumerateObject()
            .Select(p => (Module: p.Name, Type: p.Value[0].GetString()!, Message: p.Value[1].GetString()!))
            .ToList();

        Assert.True(count > 500, $"only {count} modules were found in the standard library");
        var sandboxReasons = failures.Where(f => IsSandboxReason(f.Type, f.Message) && !NamesARestrictedExtension(f.Message)).ToList();
        Assert.True(sandboxReasons.Count == 0, "refused for a sandbox reason:\n" + string.Join("\n", sandboxReasons.Select(f => $"{f.Module}: {f.Type}: {f.Message}")));
    }

    [Theory]
    [InlineData("socket")]
    [InlineData("zoneinfo")]
    [InlineData("asyncio")]
    [InlineData("email.utils")]
    [InlineData("logging.handlers")]
    [InlineData("http.client")]
    [InlineData("urllib.request")]
    [InlineData("xml.sax.saxutils")]
    [InlineData("unittest.mock")]
    public async Task AnEverydayModule_Imports(string module)
    {
        var response = await fixture.Python.ExecAsync($"import {module}");

        response.EnsureOk();
    }

    /// <summary>A refusal of the sandbox: a permission error, or a message naming a configuration key.</summary>
    private static bool IsSandboxReason(string type, string message)
        => type == "PermissionError" || message.Contains("PythonRuntime:", StringComparison.Ordinal);

    private static bool NamesARestrictedExtension(string message)
        => ModuleClassification.RestrictedExtensions.Any(e => message.Contains($"'{e}'", StringComparison.Ordinal) || message.Contains($" {e} ", StringComparison.Ordinal))
            && message.Contains("PythonRuntime:", StringComparison.Ordinal);
}
