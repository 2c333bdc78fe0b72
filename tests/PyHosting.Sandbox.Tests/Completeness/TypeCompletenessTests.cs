using System.Text.Json;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Completeness;

/// <summary>
/// Every C type Python code can reach through <c>object.__subclasses__()</c> — after importing every module that
/// imports in the Managed runtime, and after making fresh copies of the modules whose types reach the OS — is
/// classified (<see cref="TypeClassification"/>), and the classification holds: a denied type cannot be constructed and
/// each of its C methods is refused below Python; a managed type's listed members are replaced. Removing a name from a
/// module does not remove its type, so module attributes alone are not enough.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TypeCompletenessTests(SandboxFixture fixture)
{
    /// <summary>
    /// Rows of (type id, __module__, __qualname__, is-exception, members, has-C-code), members as (name, id of the callable
    /// behind it, kind); the objects stay alive in <c>__main__</c> while C# reads them. Python classes are told apart in C#.
    /// </summary>
    private const string Listing = """
        import _imp, importlib.machinery, os as _os, sys as _sys
        _types_modules = sorted(set(_sys.builtin_module_names))
        for _file in sorted(_os.listdir(_sys.path[1])):
            _name = _file.split('.')[0]
            if _name not in _types_modules and _name not in _types_restricted:
                _types_modules.append(_name)
        for _name in _types_modules:
            try:
                __import__(_name)
            except ImportError:
                pass
        # Fresh copies make new heap types: each must be refused like the first.
        _types_fresh = [_imp.create_builtin(importlib.machinery.ModuleSpec(_n, None)) for _n in _types_owners]
        for _m in _types_fresh:
            _imp.exec_builtin(_m)
        class _TypesProbe:
            pass
        _types_seen = {object: None}
        _types_todo = [object]
        while _types_todo:
            for _s in type.__subclasses__(_types_todo.pop()):
                if _s not in _types_seen:
                    _types_seen[_s] = None
                    _types_todo.append(_s)
        def _types_member(_v):
            return getattr(_v, '__func__', _v) if isinstance(_v, (classmethod, staticmethod)) else _v
        def _types_c_code(_t):
            # C code of the type itself: its methods, slots and properties (a Python class holds functions instead).
            for _k, _w in _t.__dict__.items():
                _v = _types_member(_w)
                _kind = type(_v).__name__
                if _kind in ('method_descriptor', 'classmethod_descriptor', 'wrapper_descriptor', 'getset_descriptor'):
                    if getattr(_v, '__objclass__', None) is _t and _k not in ('__dict__', '__weakref__'):
                        return True
                elif _kind == 'builtin_function_or_method' and (_v.__self__ is _t or (_v.__self__ is None and _w is not _v)):
                    return True
            return False
        _types_keep = [
            [id(_t), str(getattr(_t, '__module__', '')), _t.__qualname__, issubclass(_t, BaseException),
             [[_k, id(_types_member(_v)), type(_v).__name__] for _k, _v in _t.__dict__.items()], _types_c_code(_t)]
            for _t in _types_seen]
        _types_keepalive = list(_types_seen)
        _types_refusals = {}
        for _t in _types_seen:
            _n = str(getattr(_t, '__module__', '')) + '.' + _t.__qualname__
            if _n in _types_checked:
                try:
                    _t()
                    _types_refusals[_n + '()'] = 'constructed'
                except BaseException as _e:
                    _types_refusals[_n + '()'] = type(_e).__name__
                for _k, _v in _t.__dict__.items():
                    if isinstance(_v, classmethod) or type(_v).__name__ == 'classmethod_descriptor':
                        try:
                            getattr(_t, _k)(0)
                            _types_refusals[_n + '.' + _k + '(0)'] = 'returned'
                        except BaseException as _e:
                            _types_refusals[_n + '.' + _k + '(0)'] = type(_e).__name__
        """;

    private const ulong HeapTypeFlag = 1UL << 9;

    private static readonly string[] Owners = [.. TypeClassification.Denied.Keys.Select(n => n[..n.IndexOf('.', StringComparison.Ordinal)]).Where(m => m != "builtins").Distinct()];

    [Fact]
    public async Task EveryReachableCType_IsClassified_AndTheClassificationHolds()
    {
        var (types, refusals) = await EnumerateAsync();

        var unclassified = TypeClassification.Unclassified(types.Select(t => t.Type));
        Assert.True(unclassified.Count == 0, "Unclassified C types:\n" + string.Join("\n", unclassified));

        // The walk reaches what removing names hid: every reviewed OS-reaching type is among the ones found.
        var names = types.Select(t => t.Type.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(TypeClassification.Denied.Keys.Concat(TypeClassification.Managed.Keys).Except(names));

        var failures = new List<string>();
        WithGil(() =>
        {
            foreach (var (type, id, members) in types)
            {
                switch (TypeClassification.Classify(type))
                {
                    case TypeClass.Denied:
                        if (!DeniedTypes.IsUnconstructible(id))
                        {
                            failures.Add($"{type.Name} (type at 0x{id:x}) can be constructed");
                        }

                        // __new__ is CPython's tp_new_wrapper, shared by every type: it calls the refused tp_new checked above.
                        failures.AddRange(members
                            .Where(m => m.Name != "__new__" && !TypeClassification.HarmlessMethods.Contains(m.Name))
                            .Where(m => MethodDefinitions.OfMember(m.Callable) != 0)
                            .Where(m => !MethodDefinitions.IsReplaced(MethodDefinitions.OfMember(m.Callable)))
                            .Select(m => $"{type.Name}.{m.Name} ({m.Kind}) still runs CPython's C function"));
                        break;
                    case TypeClass.Managed:
                        if (TypeClassification.MethodsRefused.ContainsKey(type.Name))
                        {
                            failures.AddRange(members
                                .Where(m => !TypeClassification.HarmlessMethods.Contains(m.Name) && MethodDefinitions.OfMember(m.Callable) is var d && d != 0 && m.Name != "__new__")
                                .Where(m => !MethodDefinitions.IsReplaced(MethodDefinitions.OfMember(m.Callable)))
                                .Select(m => $"{type.Name}.{m.Name} ({m.Kind}) still runs CPython's C function"));
                        }

                        failures.AddRange(TypeClassification.Managed[type.Name]
                            .Where(n => n != "__new__")
                            .Where(n => !members.Any(m => m.Name == n && IsManaged(m.Callable)))
                            .Select(n => $"{type.Name}.{n} is not managed"));
                        break;
                }
            }
        });

        Assert.Empty(failures);

        // Constructors and class-method constructors refuse, for every copy; CPython's own TypeError stands for types it never instantiates.
        Assert.NotEmpty(refusals);
        Assert.All(refusals.Where(r => !TypeClassification.HarmlessMethods.Any(h => r.Key.EndsWith("." + h + "(0)", StringComparison.Ordinal))), r => Assert.True(r.Value is "UnsupportedOperation" or "PermissionError" or "TypeError", $"{r.Key}: {r.Value}"));
        Assert.Contains(refusals, r => r.Key == "select.epoll.fromfd(0)" && r.Value == "UnsupportedOperation");
        await fixture.Runtime.ExecuteAsync("del _types_keep, _types_keepalive, _types_seen, _types_fresh");
    }

    [Fact]
    public async Task FreshCopiesOfOwningModules_MakeNewTypes_EachRefused()
    {
        var (types, _) = await EnumerateAsync();

        // A fresh select makes a second epoll type (heap types are per module instance): the walk finds more than one.
        var epolls = types.Where(t => t.Type.Name == "select.epoll").ToList();
        Assert.True(epolls.Count > 1, $"{epolls.Count} select.epoll type(s) found");
        Assert.All(epolls, t => Assert.True(WithGil(() => DeniedTypes.IsUnconstructible(t.Id))));
        await fixture.Runtime.ExecuteAsync("del _types_keep, _types_keepalive, _types_seen, _types_fresh");
    }

    private async Task<(List<(ReachableType Type, nint Id, List<(string Name, nint Callable, string Kind)> Members)> Types, Dictionary<string, string> Refusals)> EnumerateAsync()
    {
        static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(n => $"'{n}'")) + "]";
        var checkedTypes = TypeClassification.Denied.Keys.Concat(TypeClassification.Managed.Where(p => p.Value.Contains("__new__")).Select(p => p.Key));
        await fixture.Runtime.ExecuteAsync(
            $"_types_restricted = {PythonList(ModuleClassification.RestrictedExtensions)}\n" +
            $"_types_owners = {PythonList(Owners)}\n" +
            $"_types_checked = {PythonList(checkedTypes)}\n" + Listing);
        var json = await fixture.Runtime.EvaluateAsync<string>("__import__('json').dumps(_types_keep)");
        var refusalsJson = await fixture.Runtime.EvaluateAsync<string>("__import__('json').dumps(_types_refusals)");
        var probe = await fixture.Runtime.EvaluateAsync<long>("id(_TypesProbe)");
        var rows = JsonSerializer.Deserialize<JsonElement[][]>(json!)!;
        var refusals = JsonSerializer.Deserialize<Dictionary<string, string>>(refusalsJson!)!;

        var types = WithGil(() => rows
            .Select(r => (Id: (nint)r[0].GetInt64(), Row: r))
            .Where(r => r.Row[5].GetBoolean() || IsDefinedInC(r.Id, (nint)probe))
            .Select(r => (
                new ReachableType(r.Row[1].GetString()!, r.Row[2].GetString()!, r.Row[3].GetBoolean()),
                r.Id,
                r.Row[4].EnumerateArray().Select(m => (m[0].GetString()!, (nint)m[1].GetInt64(), m[2].GetString()!)).ToList()))
            .ToList());
        return (types, refusals);
    }

    /// <summary>
    /// A type is defined in C when it is static, or when its deallocator is not the one CPython's <c>type()</c> gives
    /// every Python class (<c>subtype_dealloc</c>, read from a class defined for the purpose), or when its own
    /// dictionary holds C code (a C heap type without a deallocator of its own also gets <c>subtype_dealloc</c>; one
    /// with neither has only data members, which reach nothing).
    /// </summary>
    private static unsafe bool IsDefinedInC(nint type, nint pythonClass)
    {
        const int TpDeallocOffset = 48;
        return (Py.TypeFlags(type) & HeapTypeFlag) == 0 || *(nint*)(type + TpDeallocOffset) != *(nint*)(pythonClass + TpDeallocOffset);
    }

    private static bool IsManaged(nint callable) =>
        BridgeFunctions.IsBridge(callable) || MethodDefinitions.IsHardened(callable) || MethodDefinitions.IsReplaced(MethodDefinitions.OfMember(callable))
        || FileIOType.IsOwnMethod(MethodDefinitions.OfMember(callable));

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

    private static void WithGil(Action body) => WithGil(() =>
    {
        body();
        return 0;
    });
}
