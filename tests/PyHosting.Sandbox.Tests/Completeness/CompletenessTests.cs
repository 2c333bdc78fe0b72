using System.Text.Json;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Completeness;

/// <summary>
/// Every callable of every built-in module and every standard-library extension that imports in the Managed
/// runtime is managed, denied or reviewed as pure (<see cref="ModuleClassification"/>): a Python update that
/// adds an OS entry point fails here until someone classifies it.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CompletenessTests(SandboxFixture fixture)
{
    /// <summary>Lists (module, name, id, is-exception) and keeps the objects alive in <c>__main__</c> for the identity check.</summary>
    private const string Listing = """
        import os as _os, sys as _sys, types as _types
        _completeness_failed = {}
        _completeness_modules = sorted(set(_sys.builtin_module_names) | {'_posixsubprocess'})
        for _file in sorted(_os.listdir(_sys.path[1])):
            _name = _file.split('.')[0]
            if _name in _completeness_modules or _name in _completeness_restricted:
                continue
            try:
                __import__(_name)
                _completeness_modules.append(_name)
            except ImportError as _e:
                _completeness_failed[_name] = repr(_e)
        _completeness_keep = []
        for _name in _completeness_modules:
            _module = _sys.modules.get(_name) or __import__(_name)
            for _attribute in dir(_module):
                if _attribute in ('__loader__', '__spec__', '__class__'):
                    continue
                _value = getattr(_module, _attribute)
                if callable(_value) and not isinstance(_value, _types.ModuleType):
                    _completeness_keep.append([_name, _attribute, id(_value), isinstance(_value, type) and issubclass(_value, BaseException)])
        """;

    [Fact]
    public async Task EveryCallableOfBuiltinAndExtensionModules_IsManagedDeniedOrReviewedPure()
    {
        var restricted = "[" + string.Join(", ", ModuleClassification.RestrictedExtensions.Select(n => $"'{n}'")) + "]";
        await fixture.Runtime.ExecuteAsync($"_completeness_restricted = {restricted}\n{Listing}");
        var json = await fixture.Runtime.EvaluateAsync<string>("__import__('json').dumps(_completeness_keep)");
        var rows = JsonSerializer.Deserialize<JsonElement[][]>(json!)!;

        var callables = WithGil(() => rows.Select(r => new ModuleCallable(
            r[0].GetString()!,
            r[1].GetString()!,
            IsManaged((nint)r[2].GetInt64()),
            r[3].GetBoolean())).ToList());

        Assert.True(callables.Count > 1000, $"only {callables.Count} callables were listed");
        Assert.Contains(callables, c => c.Module == "posix" && c.Name == "open" && c.IsManaged);
        Assert.Contains(callables, c => c.Module == "_locale" && c.Name == "setlocale" && c.IsManaged);
        Assert.Empty(ModuleClassification.Unclassified(callables));
        await fixture.Runtime.ExecuteAsync("del _completeness_keep");
    }

    public static TheoryData<string> RestrictedExtensions => new(ModuleClassification.RestrictedExtensions.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(RestrictedExtensions))]
    public async Task RestrictedExtension_DoesNotImport_ByNameOrUnderAnotherName(string module)
    {
        var byName = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync($"import {module}"));
        Assert.Contains(byName.PythonType, (string[])["ImportError", "ModuleNotFoundError"]);

        // CPython calls PyInit_<last part of the name>: the file must be refused under any package name.
        var underAnotherName = await Record.ExceptionAsync(() => fixture.Runtime.ExecuteAsync($"""
            import _imp, glob, types
            for path in glob.glob('/usr/lib/python3.11/lib-dynload/{module}.*.so'):
                _imp.create_dynamic(types.SimpleNamespace(name='json.{module}', origin=path))
            """));
        Assert.True(underAnotherName is null || underAnotherName is PythonScriptException { PythonType: "ImportError" }, underAnotherName?.Message);
    }

    [Theory]
    [InlineData("sys.settrace(print)")]
    [InlineData("sys.setprofile(print)")]
    [InlineData("sys._current_frames()")]
    [InlineData("sys._current_exceptions()")]
    [InlineData("gc.get_objects()")]
    [InlineData("gc.get_referrers(1)")]
    [InlineData("gc.get_referents(1)")]
    [InlineData("marshal.loads(b'N')")]
    [InlineData("marshal.load(io.BytesIO(b'N'))")]
    public async Task OriginalsDeniedByTheAuditHook_RaisePermissionError(string call)
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync($"import gc, io, marshal, sys\n{call}"));

        Assert.Equal("PermissionError", error.PythonType);
    }

    [Fact]
    public void DeniedOriginals_AreEachProbedAbove()
    {
        var probed = typeof(CompletenessTests).GetMethod(nameof(OriginalsDeniedByTheAuditHook_RaisePermissionError))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => ((string)a.GetData(null!).Single()[0]).Split('(')[0]).ToHashSet();

        // sys.addaudithook is refused too, but CPython swallows the refusal: 15-disabling-the-defence/add_audit_hook.py proves it.
        Assert.Empty(ModuleClassification.DeniedByAuditHook.Keys.Except(probed).Except(["sys.addaudithook"]));
    }

    private static bool IsManaged(nint function) => BridgeFunctions.IsBridge(function) || MethodDefinitions.IsHardened(function);

    private static unsafe T WithGil<T>(Func<T> body)
    {
        var state = LibPython.PyGILState_Ensure();
        try
        {
            return body();
        }
        finally
        {
            LibPython.PyGILState_Release(state);
        }
    }
}
