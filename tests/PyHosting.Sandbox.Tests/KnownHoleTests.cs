using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests;

/// <summary>
/// Former holes whose fix lies outside the Managed backend's security files: each test states the behaviour
/// the sandbox must have, so that the hole cannot come back.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class KnownHoleTests(SandboxFixture fixture)
{
    [Fact]
    public async Task UuidExtension_DoesNotImport()
    {
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("import _uuid"));

        Assert.Equal("ImportError", error.PythonType);
        Assert.Equal("""['uuid1 works without it']""", await fixture.Runtime.EvaluateAsync<string>("str(['uuid1 works without it' if __import__('uuid').uuid1() else ''])"));
    }

    [Fact]
    public async Task FreshIoModule_KeepsTheUnsupportedOperationClassThatIoExports()
    {
        await fixture.Runtime.ExecuteAsync("import _imp, importlib.machinery\n_imp.create_builtin(importlib.machinery.ModuleSpec('_io', None))");

        await fixture.Runtime.ExecuteAsync("""
            import io, os
            try:
                os.chroot('/')
                unsupported_caught = 'not raised'
            except io.UnsupportedOperation:
                unsupported_caught = 'caught'
            except OSError as e:
                unsupported_caught = type(e).__module__ + '.' + type(e).__qualname__
            """);

        Assert.Equal("caught", await fixture.Runtime.EvaluateAsync<string>("unsupported_caught"));
    }
}
