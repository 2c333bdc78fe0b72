using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PyHosting.Hosting.Internal;
using PyHosting.Hosting.Isolation;

namespace PyHosting.Isolation.Tests;

/// <summary>A started host whose runtime runs in worker processes (CPython is never started in the test process).</summary>
internal sealed class IsolatedHost : IAsyncDisposable
{
    private IsolatedHost(IHost host) => Host = host;

    public IHost Host { get; }

    public IPythonRuntime Runtime => Host.Services.GetRequiredService<IPythonRuntime>();

    public ProcessPythonRuntime ProcessRuntime => (ProcessPythonRuntime)Host.Services.GetRequiredService<PythonRuntimeHolder>().Runtime!;

    public int WorkerId => ProcessRuntime.Worker!.ProcessId;

    public static Dictionary<string, string?> Native => new()
    {
        ["PythonRuntime:Backend"] = "Native",
        ["PythonRuntime:Permissions:IO"] = "All",
        ["PythonRuntime:Permissions:NativeAccess"] = "true",
        ["PythonRuntime:Permissions:CreateThread"] = "true",
    };

    public static async Task<IsolatedHost> StartAsync(IDictionary<string, string?>? settings = null, string confinement = "None", Action<IServiceCollection>? services = null, Action<IPythonRuntimeBuilder>? runtime = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(settings: null);
        var all = new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:Mode"] = "Process",
            ["PythonRuntime:Isolation:Confinement"] = confinement,
            ["PythonRuntime:Isolation:CallGracePeriod"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        var python = builder.Services.AddPythonRuntime();
        runtime?.Invoke(python);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new IsolatedHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
