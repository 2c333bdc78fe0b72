using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// The Native backend with the compiled extensions' host directory as its module path and
/// <c>tinyext</c>, <c>nativepkg</c> and <c>numpy</c> registered: registrations are checked at
/// start, and then everything loads, registered or not (the backend is not sandboxed).
/// </summary>
public sealed class NativeBackendTests(NativeBackendTests.Fixture fixture) : IClassFixture<NativeBackendTests.Fixture>
{
    private PythonProcess Python => fixture.Python;

    [Fact]
    public async Task RegisteredExtensions_RunTheirNativeCode()
    {
        var result = await Python.EvalAsync(
            "[__import__('tinyext').add(20, 22), __import__('tinyext').greet('Native'), __import__('nativepkg').add(1, 2), int(__import__('numpy').arange(10).sum())]");

        Assert.Equal("""[42,"hello from C, Native",3,45]""", result.EnsureOk().Result!.ToJsonString());
    }

    [Fact]
    public async Task UnregisteredExtensionsAndCtypes_LoadAsInCPython()
    {
        var result = await Python.EvalAsync(
            "[__import__('ctypes').sizeof(__import__('ctypes').c_int32), __import__('sqlite3').connect(':memory:').execute('select 6 * 7').fetchone()[0]]");

        Assert.Equal("[4,42]", result.EnsureOk().Result!.ToJsonString());
    }

    public sealed class Fixture : RuntimeFixture
    {
        internal override Dictionary<string, string?> Configure(CompiledExtensions extensions) =>
            Runtimes.Native(extensions.NativeBackendDirectory, "tinyext", "nativepkg", "numpy");
    }
}
