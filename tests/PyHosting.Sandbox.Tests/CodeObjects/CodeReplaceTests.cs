using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.CodeObjects;

/// <summary>
/// <c>code.replace</c> under the strictest permissions: metadata that no bytecode indexes may change (what
/// <c>types.coroutine</c>, and so <c>asyncio</c> and <c>unittest.mock</c>, need); everything the bytecode reads
/// by index or offset stays refused, whatever the value.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CodeReplaceTests(SandboxFixture fixture)
{
    /// <summary>Every keyword of <c>code.replace</c> that is not metadata, with a value of the right type.</summary>
    public static TheoryData<string, string> StructuralChanges => new()
    {
        { "co_code", "c.co_code[:-2] + bytes([100, 255])" },
        { "co_consts", "()" },
        { "co_names", "()" },
        { "co_varnames", "()" },
        { "co_freevars", "('x',)" },
        { "co_cellvars", "('x',)" },
        { "co_nlocals", "0" },
        { "co_stacksize", "0" },
        { "co_argcount", "5" },
        { "co_posonlyargcount", "5" },
        { "co_kwonlyargcount", "5" },
        { "co_linetable", "b'\\xff' * 64" },
        { "co_exceptiontable", "b'\\xff' * 8" },
    };

    /// <summary>Every single <c>co_flags</c> bit but <c>CO_ITERABLE_COROUTINE</c> (0x100), flipped.</summary>
    public static TheoryData<int> FlagBits => new(Enumerable.Range(0, 31).Select(b => 1 << b).Where(b => b != 0x100));

    [Theory]
    [MemberData(nameof(StructuralChanges))]
    public async Task StructuralChange_IsRefused(string keyword, string value)
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync(
            $"def f(a, b=1):\n    return a + b\nc = f.__code__\nc.replace({keyword}={value})"));

        Assert.Equal("PermissionError", error.PythonType);
        Assert.Contains("constructing code objects", error.PythonMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StructuralChanges))]
    public async Task StructuralChange_NextToAllowedMetadata_IsRefused(string keyword, string value)
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync(
            $"def f(a, b=1):\n    return a + b\nc = f.__code__\nc.replace(co_name='g', {keyword}={value}, co_filename='x.py')"));

        Assert.Equal("PermissionError", error.PythonType);
    }

    [Theory]
    [MemberData(nameof(FlagBits))]
    public async Task FlagChange_OtherThanIterableCoroutine_IsRefused(int bit)
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync(
            $"def f():\n    yield 1\nc = f.__code__\nc.replace(co_flags=c.co_flags ^ {bit})"));

        Assert.Equal("PermissionError", error.PythonType);
    }

    [Theory]
    [InlineData("co_name=S('g')")]
    [InlineData("co_filename=S('x.py')")]
    [InlineData("co_firstlineno=I(3)")]
    [InlineData("co_flags=I(0x100) | 0")]
    [InlineData("co_flags=c.co_flags | I(0x100)")]
    [InlineData("co_firstlineno=0")]
    [InlineData("co_firstlineno=2**70")]
    [InlineData("co_flags=-1")]
    public async Task MetadataOfTheWrongTypeOrRange_IsRefused(string keywords)
    {
        // Subclasses could change their value between the check and CPython's own reading of it.
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync($$"""
            class S(str):
                pass
            class I(int):
                def __or__(self, other):
                    return I(int(self) | int(other))
                __ror__ = __or__
            def f():
                yield 1
            c = f.__code__
            c.replace({{keywords}})
            """));

        Assert.Contains(error.PythonType, (string[])["PermissionError", "ValueError", "OverflowError"]);
    }

    [Fact]
    public async Task Metadata_CanBeChanged_AndTheNewCodeRuns()
    {
        var result = await fixture.Runtime.EvaluateAsync<string>("""
            (lambda f: (lambda c: f"{c.co_name}|{c.co_qualname}|{c.co_filename}|{c.co_firstlineno}|{eval(c)}")(
                f.__code__.replace(co_name='renamed', co_qualname='Outer.renamed', co_filename='<generated>', co_firstlineno=40)))(
                lambda: 6 * 7)
            """);

        Assert.Equal("renamed|Outer.renamed|<generated>|40|42", result);
    }

    [Fact]
    public async Task TypesCoroutine_MakesAnAwaitableGenerator()
    {
        await fixture.Runtime.ExecuteAsync("""
            import types
            @types.coroutine
            def step():
                value = yield 'suspended'
                return value + 1
            assert step.__code__.co_flags & 0x100, 'CO_ITERABLE_COROUTINE was not set'
            async def main():
                return await step()
            coro = main()
            assert coro.send(None) == 'suspended'
            try:
                coro.send(41)
            except StopIteration as stop:
                coroutine_result = stop.value
            """);

        Assert.Equal(42L, await fixture.Runtime.EvaluateAsync<long>("coroutine_result"));
    }
}
