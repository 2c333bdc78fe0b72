using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;
using PyHosting.Internal;

namespace PyHosting.Hosting.Tests.Diagnostics;

public sealed class DiagnosticsRegistrationTests
{
    [Fact]
    public void AddPythonRuntime_RegistersTheCallObserverAndAMeterFactory()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<PythonCallDiagnostics>(provider.GetRequiredService<IPythonCallObserver>());
        Assert.NotNull(provider.GetRequiredService<IMeterFactory>());
    }

    [Fact]
    public void Attach_ObservesTheRuntimeWithTheRegisteredObserver()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();
        var holder = provider.GetRequiredService<PythonRuntimeHolder>();
        var backend = new Mock<IPythonBackend>();
        var runtime = new PythonRuntime(new PythonRuntimeOptions(), backend.Object, TimeProvider.System, NullLoggerFactory.Instance);

        holder.Attach(runtime);

        Assert.Same(provider.GetRequiredService<IPythonCallObserver>(), runtime.Observer);
        Assert.Same(runtime, holder.Runtime);
    }

    [Fact]
    public void Attach_WithoutObserver_LeavesTheRuntimeUnobserved()
    {
        var holder = new PythonRuntimeHolder(Options.Create(new PythonRuntimeOptions()));
        var runtime = new PythonRuntime(new PythonRuntimeOptions(), Mock.Of<IPythonBackend>(), TimeProvider.System, NullLoggerFactory.Instance);

        holder.Attach(runtime);

        Assert.Null(runtime.Observer);
    }
}
