using System.Diagnostics;
using System.Text;

namespace PyHosting.Samples.Tests;

/// <summary>
/// Runs a publish or a published program to its end for the tests that publish the sample: output and error
/// interleaved into one text, killed with its children at a time limit, without the test run's MSBuild settings.
/// </summary>
internal static class PublishCommand
{
    /// <summary>Gets the repository's root (the folder holding PyHosting.sln) above the test's output.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Runs <paramref name="executable"/> and waits for it.</summary>
    /// <param name="workingDirectory">The working directory.</param>
    /// <param name="executable">The program.</param>
    /// <param name="limit">How long it may run before it is killed and a <see cref="TimeoutException"/> is thrown.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>The exit code and everything it printed.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string executable, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The publish must not inherit the test run's MSBuild settings.
        foreach (var name in start.Environment.Keys.Where(static n => n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || n.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || n == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var text = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, text), PumpAsync(process.StandardError, text));
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not end within {limit}:\n{text}");
        }

        await pumps;
        return (process.ExitCode, text.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder text)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PyHosting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PyHosting.sln) was not found above " + AppContext.BaseDirectory);
    }
}
