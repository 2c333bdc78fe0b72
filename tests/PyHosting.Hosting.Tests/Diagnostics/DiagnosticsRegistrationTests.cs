using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using PyHosting.Hosting.Diagnostics;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Tests.Diagnostics;

public sealed class DiagnosticsRegistrationTests
{
    [Fact]
    public void AddPythonRuntime_RegistersTheCallObserverOnceAndAMeterFactory()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        services.AddPythonRuntime();
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, static d => d.ServiceType == typeof(PythonCallDiagnostics));
        Assert.NotNull(provider.GetRequiredService<PythonCallDiagnostics>());
        Assert.NotNull(provider.GetRequiredService<IMeterFactory>());
    }

    [Fact]
    public void AddPythonRuntime_DoesNotOfferTheObserverAsAServiceApplicationsCouldReplace()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();

        Assert.DoesNotContain(services, static d => d.ServiceType == typeof(IPythonRuntimeObserver));
    }

    [Fact]
    public void Attach_PublishesTheRuntime()
    {
        var holder = new PythonRuntimeHolder(Options.Create(new PythonRuntimeOptions()));
        var runtime = new Mock<IStartablePythonRuntime>();
        runtime.Setup(static r => r.Backend).Returns(PythonBackend.Native);

        holder.Attach(runtime.Object);

        Assert.Same(runtime.Object, holder.Runtime);
        Assert.Equal(PythonBackend.Native, holder.Backend);
    }
}
