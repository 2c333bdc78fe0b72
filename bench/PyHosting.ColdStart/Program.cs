using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PyHosting;

// Usage: PyHosting.ColdStart <Native|Managed> [spawn timestamp (Stopwatch ticks of the parent)]
// Prints one line "COLDSTART {json}" with the first result and a breakdown in milliseconds.
var mainEntered = Stopwatch.GetTimestamp();
var backend = args.Length > 0 ? Enum.Parse<PythonBackend>(args[0], ignoreCase: true) : PythonBackend.Managed;
long? spawned = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : null;

var builder = Host.CreateApplicationBuilder([]);
builder.Services.AddPythonRuntime(o =>
{
    o.Backend = backend;
    if (backend == PythonBackend.Native)
    {
        // The Native backend cannot restrict anything; validation requires saying so.
        o.Permissions.IO = IOAccess.All;
        o.Permissions.NativeAccess = true;
    }
});

using var host = builder.Build();
var built = Stopwatch.GetTimestamp();
await host.StartAsync();
var started = Stopwatch.GetTimestamp();
var runtime = host.Services.GetRequiredService<IPythonRuntime>();
var result = await runtime.EvaluateAsync<int>("1+1");
var evaluated = Stopwatch.GetTimestamp();
var cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds; // getrusage: finer than /proc's clock ticks

static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);

var toMain = spawned is { } s ? Ms(s, mainEntered) : "null";
var total = spawned is { } s2 ? Ms(s2, evaluated) : "null";
Console.Out.WriteLine(
    $"COLDSTART {{\"backend\":\"{backend}\",\"result\":{result},\"spawnToMainMs\":{toMain},\"buildMs\":{Ms(mainEntered, built)}," +
    $"\"startMs\":{Ms(built, started)},\"firstEvalMs\":{Ms(started, evaluated)},\"mainToResultMs\":{Ms(mainEntered, evaluated)},\"spawnToResultMs\":{total}," +
    $"\"cpuToResultMs\":{cpu.ToString("F1", CultureInfo.InvariantCulture)}}}");
Console.Out.Flush();
await host.StopAsync();
return result == 2 ? 0 : 1;
