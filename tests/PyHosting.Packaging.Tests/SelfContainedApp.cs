using System.Diagnostics;

namespace PyHosting.Packaging.Tests;

/// <summary>Runs a published application's own executable, without the test run's .NET and MSBuild settings in its environment.</summary>
internal static class SelfContainedApp
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static async Task<(int ExitCode, string Output)> RunAsync(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not end within {Limit}:\n{await output}\n{await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
