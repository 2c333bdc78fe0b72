using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyHosting.Compatibility;

/// <summary>
/// The child process of a Managed run: a generic host with <c>AddPythonRuntime</c> and every permission granted,
/// which runs one test module through the driver script and writes the result file.
/// </summary>
/// <remarks>
/// The runtime's file system is the host's own: a read-write physical mount of <c>/</c> at <c>/</c>, so that the
/// tests find their data files, the temporary directory and the working directory at the paths they expect.
/// </remarks>
public static class ManagedHost
{
    /// <summary>The first command-line argument that makes the runner's executable act as the child.</summary>
    public const string Verb = "host";

    /// <summary>The module name that makes the child report the runtime's <c>sys.base_prefix</c> and <c>sys.version</c> instead.</summary>
    public const string ProbeModule = "--probe";

    /// <summary>The module name that makes the child run the Python script named in place of the result file, with its output on the console.</summary>
    public const string ScriptModule = "--script";

    /// <summary>Gets the configuration of the runtime: Managed backend, every permission, no time or memory limit.</summary>
    /// <param name="workingDirectory">The runtime's working directory (a host directory; <c>/</c> is mounted as itself).</param>
    /// <param name="nativeExtensions">Standard-library extensions to register.</param>
    /// <returns>Configuration keys and values.</returns>
    public static Dictionary<string, string?> Configuration(string workingDirectory, IEnumerable<string> nativeExtensions)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["PythonRuntime:Backend"] = "Managed",
            ["PythonRuntime:ExecutionTimeout"] = "00:00:00",
            ["PythonRuntime:MemoryLimit"] = "0",
            ["PythonRuntime:Permissions:IO"] = "All",
            ["PythonRuntime:Permissions:CreateThread"] = "true",
            ["PythonRuntime:Permissions:CreateProcess"] = "true",
            ["PythonRuntime:Permissions:NativeAccess"] = "true",
            ["PythonRuntime:Permissions:HostSockets"] = "true",
            ["PythonRuntime:Permissions:Environment"] = "Inherit",
            ["PythonRuntime:Processes:EnvironmentVariables:0"] = "*",
            ["PythonRuntime:FileSystem:WorkingDirectory"] = workingDirectory,
            ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/",
            ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = "/",
            ["PythonRuntime:FileSystem:Mounts:0:ReadOnly"] = "false",
        };
        var index = 0;
        foreach (var name in nativeExtensions)
        {
            configuration[$"PythonRuntime:NativeExtensions:{index++}"] = name;
        }

        return configuration;
    }

    /// <summary>Gets the start information of a child that runs <paramref name="module"/>.</summary>
    /// <param name="module">The module under <c>test</c>.</param>
    /// <param name="resultPath">Where the child writes the result.</param>
    /// <param name="workingDirectory">The runtime's working directory.</param>
    /// <param name="nativeExtensions">Standard-library extensions to register.</param>
    /// <param name="overrides">Configuration entries replacing the defaults (none when null).</param>
    /// <returns>The start information.</returns>
    public static ProcessStartInfo StartInfo(string module, string resultPath, string workingDirectory, IEnumerable<string> nativeExtensions, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var assembly = typeof(ManagedHost).Assembly.Location;
        var startInfo = new ProcessStartInfo(Muxer) { ArgumentList = { assembly, Verb, module, resultPath } };
        var configuration = Configuration(workingDirectory, nativeExtensions);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        foreach (var (key, value) in configuration)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        return startInfo;
    }

    /// <summary>Runs the child: <c>host &lt;module&gt; &lt;result file&gt; [--Key=Value ...]</c>.</summary>
    /// <param name="args">The command-line arguments after <see cref="Verb"/>.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync("usage: host <module> <result file> [--PythonRuntime:Key=Value ...]");
            return 64;
        }

        var (module, resultPath) = (args[0], args[1]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddCommandLine(args[2..]);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(static o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPythonRuntime();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"The host failed to start: {e}");
            return 2;
        }

        var runtime = host.Services.GetRequiredService<IPythonRuntime>();
        if (module == ScriptModule)
        {
            // Reproducing one failure: the script runs in the same runtime a module would, its output on the console.
            using var redirect = runtime.RedirectOutput(Console.Out, Console.Error);
            try
            {
                await runtime.RunFileAsync(resultPath);
            }
            catch (PythonScriptException e)
            {
                await Console.Error.WriteLineAsync(e.PythonTraceback ?? $"{e.PythonType}: {e.PythonMessage}");
                return 1;
            }

            await Console.Out.FlushAsync();
            Environment.Exit(0);
        }

        try
        {
            string? json;
            if (module == ProbeModule)
            {
                // Which CPython the runtime embeds, so that the baseline runs the same one.
                json = await runtime.EvaluateAsync<string>("__import__('json').dumps({'prefix': __import__('sys').base_prefix, 'version': __import__('sys').version})");
            }
            else
            {
                await runtime.ExecuteAsync("EMBEDDED_IN_PYHOSTING = True\n" + CompatibilityRunner.DriverSource);
                json = await runtime.EvaluateAsync<string>($"run_test_module({Quote(module)}, {Quote(CompatibilityRunner.ProgressPath(resultPath))})");
            }

            await File.WriteAllTextAsync(resultPath, json ?? string.Empty);
        }
        catch (PythonScriptException e)
        {
            await Console.Error.WriteLineAsync($"The driver failed: {e.PythonType}: {e.PythonMessage}");
            return 3;
        }

        // Threads or children a test left behind must not hold the process up: the result is written.
        await Console.Out.FlushAsync();
        await Console.Error.FlushAsync();
        Environment.Exit(0);
        return 0;
    }

    private static string Muxer
    {
        get
        {
            var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
            {
                return hostPath;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
