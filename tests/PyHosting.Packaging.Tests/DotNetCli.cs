using System.Diagnostics;
using System.Text;

namespace PyHosting.Packaging.Tests;

/// <summary>Runs the <c>dotnet</c> command line as a user would, without the test run's MSBuild settings in its environment.</summary>
internal static class DotNetCli
{
    /// <summary>A guard against a hung command, not a measure: restoring from NuGet on a loaded machine takes minutes.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(IsTestRunSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, output),
            PumpAsync(process.StandardError, output));
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not end within {Limit}:\n{output}");
        }

        await pumps;
        return (process.ExitCode, output.ToString());
    }

    private static bool IsTestRunSetting(string name)
        => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase);

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
