using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using PyHosting.Internal;
using PyHosting.Internal.Managed;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests;

public sealed class PythonRuntimeFactoryTests
{
    [Theory]
    [InlineData(PythonBackend.Managed)]
    [InlineData(PythonBackend.Native)]
    public void Create_ObserverGiven_RuntimeIsObservedFromCreation_AndNotStarted(PythonBackend backend)
    {
        var observer = Mock.Of<IPythonRuntimeObserver>();

        var runtime = PythonRuntimeFactory.Create(new PythonRuntimeOptions { Backend = backend }, new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance, observer);

        Assert.Same(observer, Assert.IsType<PythonRuntime>(runtime).Observer);
        Assert.Equal(backend, runtime.Backend);
        Assert.False(runtime.IsStarted);
    }

    [Fact]
    public void Create_UnknownBackend_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonRuntimeFactory.Create(new PythonRuntimeOptions { Backend = (PythonBackend)7 }, new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance, observer: null));

    [Fact]
    public void ManagedBackend_Refusal_ReachesTheObserverGivenAtCreation()
    {
        var observer = new Mock<IPythonRuntimeObserver>();
        var sink = new OutputSink(null, null, NullLogger.Instance, NullLogger.Instance);
        var backend = new ManagedBackend(new PythonRuntimeOptions(), new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance, () => sink, observer.Object);

        backend.OnPermissionDenied("fork_exec", PythonRuntimeConfigurationKeys.CreateProcess, "starting '/bin/ls' denied: PythonRuntime:Permissions:CreateProcess is false");

        observer.Verify(static o => o.OnPermissionDenied(PythonRuntimeConfigurationKeys.CreateProcess), Times.Once);
    }
}
