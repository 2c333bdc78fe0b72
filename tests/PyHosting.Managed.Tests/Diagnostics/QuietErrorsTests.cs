using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests.Diagnostics;

/// <summary>Errors in the user's own code are reported as what they are, with no denial logged by the runtime's own work around them.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class QuietErrorsTests(ManagedRuntimeFixture fixture)
{
    /// <summary>Syntax errors found by the parser and by the compiler's later passes (which look the source line up again).</summary>
    public static TheoryData<string> SyntaxErrors => new()
    {
        "def f(:\n    pass\n",
        "x = 1\nreturn x\n",
        "def f():\n    nonlocal y\n",
        "for x in []:\n    pass\nbreak\n",
        "print('unterminated\n",
        "async def f():\n    yield from g()\n",
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public async Task SyntaxErrorInAScript_IsSyntaxError_WithNoDenialLogged(string source)
    {
        var path = "/app/" + ManagedRuntimeFixture.Unique("broken") + ".py";
        using (var stream = fixture.App.Open(path[4..], Providers.PythonOpenFlags.Write | Providers.PythonOpenFlags.Create))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(source));
        }

        var mark = fixture.Logs.Mark;
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.RunFileAsync(path));

        Assert.Equal("SyntaxError", error.PythonType);
        Assert.DoesNotContain(fixture.Logs.Since(mark), l => l.Message.Contains("Denied", StringComparison.Ordinal));
    }
}
