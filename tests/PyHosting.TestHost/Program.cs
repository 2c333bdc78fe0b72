using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting;
using PyHosting.TestHost;

// The protocol owns the original standard output; everything else that writes to descriptor 1
// (console logging, native code, inherited child processes) goes to standard error instead.
using var protocolOutput = StandardOutputGuard.TakeStandardOutput();
var logs = new CapturedLogs();
using var gauges = new GaugeReader();

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(static o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.AddProvider(new CapturingLoggerProvider(logs));
// --TestHost:Runtime=<name> serves a named runtime (section PythonRuntime:Runtimes:<name>) instead of the default one.
var runtimeName = builder.Configuration["TestHost:Runtime"] ?? string.Empty;
if (runtimeName.Length == 0)
{
    builder.Services.AddPythonRuntime();
}
else
{
    builder.Services.AddPythonRuntime(runtimeName);
}

using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync("PyHosting.TestHost: the host failed to start.");
    await Console.Error.WriteLineAsync(StartupFailure.Describe(e));
    await Console.Error.FlushAsync();
    return 2;
}

var runtime = host.Services.GetRequiredService<IPythonRuntimeProvider>().Get(runtimeName);
var options = host.Services.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>().Get(runtimeName);
var server = new ProtocolServer(runtime, options, logs, gauges, protocolOutput);
await server.RunAsync(Console.OpenStandardInput());
await host.StopAsync();
return 0;
