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
builder.Services.AddPythonRuntime();

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

var runtime = host.Services.GetRequiredService<IPythonRuntime>();
var options = host.Services.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value;
var server = new ProtocolServer(runtime, options, logs, gauges, protocolOutput);
await server.RunAsync(Console.OpenStandardInput());
await host.StopAsync();
return 0;
