using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting.Samples.WorkerService;

// A worker service that runs Python jobs in-process, sandboxed by the Managed backend (or not, with --PythonRuntime:Backend=Native),
// and user-supplied formulas on a second, untrusted runtime in worker processes.
//   dotnet run --project samples/WorkerService                               jobs on their schedule, until Ctrl+C
//   dotnet run --project samples/WorkerService -- --Worker:RunOnce=true      every job once; exit 0, or 1 if one failed
//   dotnet run --project samples/WorkerService -- --Worker:Script=hello.py   one file; exit 0, 1 on a Python error
// A configuration error exits 2, with the reasons on standard error.
var builder = Host.CreateApplicationBuilder(args);
var workerSection = builder.Configuration.GetSection(WorkerOptions.SectionName);

// 1. The Python runtime: the "PythonRuntime" section of appsettings.json is bound, then this code
//    runs, then everything is validated when the host starts.
builder.Services
    .AddPythonRuntime(python => RuntimeSetup.Apply(python, workerSection[nameof(WorkerOptions.Script)], builder.Environment.ContentRootPath))
    // 2. A decorator around the file system built from the configured mounts: every change Python makes is logged.
    //    The Native backend has no file system provider to decorate: there it is not applied.
    .DecorateFileSystem((services, mounts) => new AuditingFileSystem(mounts, services.GetRequiredService<ILogger<AuditingFileSystem>>()))
    .AddHealthCheck(); // 3. "PythonRuntime", logged once at start by RuntimeHealthReporter.

// 3b. A second, untrusted runtime for user-supplied formulas (section "PythonRuntime:Runtimes:formulas"): no file access,
//     in worker processes. Resolved by name, or as [FromKeyedServices("formulas")] IPythonRuntime.
//     Worker processes run on the .NET runtime, which a NativeAOT build of the sample does not carry: that build
//     leaves the formulas runtime and its jobs out and says so.
var workerProcesses = RuntimeFeature.IsDynamicCodeSupported;
if (workerProcesses)
{
    builder.Services.AddPythonRuntime(Worker.FormulasRuntime).AddHealthCheck();
}

// 4. The worker and its jobs ("Worker" section).
builder.Services.AddOptions<WorkerOptions>()
    .Configure(options =>
    {
        WorkerConfiguration.Bind(workerSection, options);
        if (!workerProcesses)
        {
            var left = options.Jobs.Where(static j => j.RuntimeName == Worker.FormulasRuntime).ToList();
            foreach (var job in left)
            {
                options.Jobs.Remove(job);
            }

            if (left.Count > 0)
            {
                Console.Error.WriteLine($"NativeAOT build: the '{Worker.FormulasRuntime}' runtime runs in worker processes, which need the .NET runtime; its {left.Count} job(s) are left out.");
            }
        }
    })
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<WorkerOptions>>(services => new WorkerOptionsValidator(services.GetRequiredService<PyHosting.IPythonRuntimeProvider>()));
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WorkerResult>();
builder.Services.AddSingleton<RuntimePaths>();
builder.Services.AddSingleton<PythonJobRunner>();
builder.Services.AddHostedService<RuntimeHealthReporter>();
builder.Services.AddHostedService<Worker>();

using var host = builder.Build();
var result = host.Services.GetRequiredService<WorkerResult>();

// Starts the host and waits for its end. An invalid configuration is listed on standard error, one problem per line,
// with no stack trace, and the process exits 2 (PythonRuntimeStartupErrors.ExitCode).
var exitCode = await host.RunPythonHostAsync();
return exitCode != 0 ? exitCode : result.ExitCode;
