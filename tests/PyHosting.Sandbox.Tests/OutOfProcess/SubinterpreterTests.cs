namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>Everything granted and CPython's <c>_testcapi</c> registered: native code that asks for a subinterpreter.</summary>
public sealed class NativeTestCapiFixture : TestHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:IO"] = "All",
        ["PythonRuntime:Permissions:CreateThread"] = "true",
        ["PythonRuntime:Permissions:NativeAccess"] = "true",
        ["PythonRuntime:NativeExtensions:0"] = "_testcapi",
    };
}

/// <summary>
/// A subinterpreter would have modules, hooks and thread states the runtime neither tames nor tracks (HOSTILE.md
/// family 13; ending its thread state killed the host): creating one after start-up is refused, even from native
/// code, and the host keeps serving.
/// </summary>
public sealed class SubinterpreterTests(NativeTestCapiFixture fixture) : IClassFixture<NativeTestCapiFixture>
{
    public static TheoryData<string, string, string> Creations => new()
    {
        { "_testcapi.run_in_subinterp", "import _testcapi\n_testcapi.run_in_subinterp('import os')", "RuntimeError" },
        { "ctypes Py_NewInterpreter", "import ctypes\nctypes.pythonapi.Py_NewInterpreter.restype = ctypes.c_void_p\nctypes.pythonapi.Py_NewInterpreter()", "PermissionError" },
        { "_xxsubinterpreters", "import _xxsubinterpreters\n_xxsubinterpreters.create()", "ImportError" },
    };

    [Theory]
    [MemberData(nameof(Creations))]
    public async Task CreatingASubinterpreter_IsRefused_AndTheHostKeepsServing(string what, string code, string expected)
    {
        var response = await fixture.Python.ExecAsync(code);

        Assert.False(response.Ok, $"{what} succeeded");
        Assert.Equal(expected, response.PythonType);
        await fixture.AssertAliveAsync();
        Assert.Equal("[2, 3]", (await fixture.Python.EvalAsync("repr(__import__('threading').Thread and [2, 3])")).GetResult<string>());
    }
}
