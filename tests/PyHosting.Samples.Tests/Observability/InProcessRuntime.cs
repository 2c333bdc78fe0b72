using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PyHosting.Samples.Tests.Observability;

/// <summary>
/// The one Python runtime of this test process (CPython starts once per process): a Managed runtime
/// with a one-second execution timeout and the health check. Every other test of the project runs
/// Python in a child process.
/// </summary>
public sealed class InProcessRuntime : IAsyncLifetime
{
    private IHost? _host;

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The runtime has not started.");

    public IPythonRuntime Python => Services.GetRequiredService<IPythonRuntime>();

    public IMeterFactory MeterFactory => Services.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("PythonRuntime:ExecutionTimeout", (string?)"00:00:01")]);
        builder.Services.AddPythonRuntime().AddHealthCheck();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InProcessRuntimeCollection : ICollectionFixture<InProcessRuntime>
{
    public const string Name = "In-process Python runtime";
}
