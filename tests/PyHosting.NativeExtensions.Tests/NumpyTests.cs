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

    public static TheoryData<string, string, string> TypedResults => new()
    {
        { "__import__('numpy').arange(4, dtype='float64') / 2", "double[]", "[0,0.5,1,1.5]" },
        { "__import__('numpy').arange(3, dtype='float32')", "List<double>", "[0,1,2]" },
        { "__import__('numpy').arange(3, dtype='int16')", "int[]", "[0,1,2]" },
        { "__import__('numpy').arange(6, dtype='int64').reshape(2, 3)", "long[][]", "[[0,1,2],[3,4,5]]" },
        { "__import__('numpy').arange(6, dtype='int64').reshape(3, 2).T", "long[][]", "[[0,2,4],[1,3,5]]" },
        { "__import__('numpy').int64(2) ** 40", "long", "1099511627776" },
        { "__import__('numpy').float32(0.5)", "double", "0.5" },
        { "__import__('numpy').bool_(True)", "bool", "true" },
    };

    [Theory]
    [MemberData(nameof(TypedResults))]
    public async Task NumpyArraysAndScalars_ConvertToTypedResults_ThroughTheBufferProtocol(string expression, string resultType, string json)
    {
        var result = (await Python.EvalAsAsync(expression, resultType)).EnsureOk();

        Assert.Equal(json, result.Result!.ToJsonString());
    }

    [Fact]
    public async Task NumpyArray_OfAnUnsupportedElementType_IsInvalidCast()
    {
        var result = await Python.EvalAsAsync("__import__('numpy').array(['a', 'b'])", "double[]");

        Assert.Equal("InvalidCastException", result.Type);
        Assert.Contains("format", result.Message, StringComparison.Ordinal);
    }

    public sealed class Fixture : RuntimeFixture
    {
        internal override Dictionary<string, string?> Configure(CompiledExtensions extensions) => Runtimes.Managed("numpy");
    }
}
