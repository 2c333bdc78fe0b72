using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>Debian's python3-numpy in a Managed runtime with IO=All, CreateThread=true, NativeAccess=true and <c>numpy</c> registered.</summary>
public sealed class NumpyTests(NumpyTests.Fixture fixture) : IClassFixture<NumpyTests.Fixture>
{
    private PythonProcess Python => fixture.Python;

    [Fact]
    public async Task Numpy_Registered_SumsARange()
    {
        var sum = await Python.EvalAsync("int(__import__('numpy').arange(10).sum())");

        Assert.Equal(45, sum.GetResult<long>());
    }

    [Fact]
    public async Task Numpy_Registered_MultipliesMatrices()
    {
        (await Python.ExecAsync("import numpy as np\nnumpy_product = (np.array([[1, 2], [3, 4]]) @ np.array([[5, 6], [7, 8]])).tolist()")).EnsureOk();

        Assert.Equal("[[19,22],[43,50]]", (await Python.EvalAsync("numpy_product")).EnsureOk().Result!.ToJsonString());
    }

    [Fact]
    public async Task Numpy_Registered_LoadsItsNativeSubmodulesFromTheSystemDirectory()
    {
        var result = await Python.EvalAsync(
            "(lambda m: [m.__file__, type(m.__loader__).__name__])(__import__('numpy.core._multiarray_umath', fromlist=['_']))");

        var values = result.GetResult<string[]>()!;
        Assert.StartsWith("/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath.", values[0], StringComparison.Ordinal);
        Assert.Equal("ExtensionFileLoader", values[1]);
    }

    public sealed class Fixture : RuntimeFixture
    {
        internal override Dictionary<string, string?> Configure(CompiledExtensions extensions) => Runtimes.Managed("numpy");
    }
}
