using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Hosting.Tests;

/// <summary>
/// <c>DecorateFileSystem</c>: decorators recorded on the service collection's registrations, applied by the hosted
/// service (Managed backend) around whichever file system the runtime would use. Applying them here, as the hosted
/// service does, needs no interpreter; the sample's tests run them in a real host on both backends.
/// </summary>
public sealed class DecorateFileSystemTests
{
    [Fact]
    public void DecorateFileSystem_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddPythonRuntime();

        Assert.Throws<ArgumentNullException>(() => PythonRuntimeBuilderExtensions.DecorateFileSystem(null!, static (_, inner) => inner));
        Assert.Throws<ArgumentNullException>(() => builder.DecorateFileSystem(null!));
    }

    [Fact]
    public void Decorators_WrapTheDefaultMountTable_InCallOrder_LastOutermost()
    {
        var services = new ServiceCollection();
        services.AddSingleton("from DI");
        services.AddPythonRuntime()
            .DecorateFileSystem(static (sp, inner) => new Tagged(inner, "first " + sp.GetRequiredService<string>()))
            .DecorateFileSystem(static (_, inner) => new Tagged(inner, "second"));
        using var provider = services.BuildServiceProvider();
        var registrations = provider.GetRequiredService<PythonRuntimeRegistrations>();
        var configured = provider.GetRequiredService<IPythonFileSystem>();

        var decorated = registrations.DecorateFileSystem(provider, configured);

        var outer = Assert.IsType<Tagged>(decorated);
        Assert.Equal("second", outer.Tag);
        var inner = Assert.IsType<Tagged>(outer.Inner);
        Assert.Equal("first from DI", inner.Tag);
        Assert.Same(configured, inner.Inner);
        Assert.True(registrations.IsDefault(configured));
        Assert.Equal(2, registrations.FileSystemDecoratorCount);
    }

    [Fact]
    public void Decorators_WrapAFileSystemChosenInCode()
    {
        var services = new ServiceCollection();
        var chosen = new TestFileSystem();
        services.AddPythonRuntime().WithFileSystem(chosen).DecorateFileSystem(static (_, inner) => new Tagged(inner, "audit"));
        using var provider = services.BuildServiceProvider();

        var decorated = provider.GetRequiredService<PythonRuntimeRegistrations>().DecorateFileSystem(provider, provider.GetRequiredService<IPythonFileSystem>());

        Assert.Same(chosen, Assert.IsType<Tagged>(decorated).Inner);
    }

    [Fact]
    public void Decorator_ReturningNull_FailsNamingTheVerb()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime().DecorateFileSystem(static (_, _) => null!);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() =>
            provider.GetRequiredService<PythonRuntimeRegistrations>().DecorateFileSystem(provider, provider.GetRequiredService<IPythonFileSystem>()));

        Assert.StartsWith("A DecorateFileSystem delegate returned null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeBackend_WithADecorator_IsValid_UnlikeWithFileSystem()
    {
        var services = TestHosts.Services(new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Native",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
        });
        services.AddPythonRuntime().DecorateFileSystem(static (_, inner) => new Tagged(inner, "audit"));
        using var provider = services.BuildServiceProvider();

        Assert.Empty(TestHosts.Failures(provider));
        Assert.True(provider.GetRequiredService<PythonRuntimeRegistrations>().IsDefault(provider.GetRequiredService<IPythonFileSystem>()));
    }

    private sealed class Tagged(IPythonFileSystem inner, string tag) : PythonFileSystemBase
    {
        public IPythonFileSystem Inner => inner;

        public string Tag => tag;

        public override PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => inner.GetStatus(path, followSymbolicLinks);

        public override Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6) => inner.Open(path, flags, mode);

        public override IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => inner.ReadDirectory(path);
    }
}
