using System.Diagnostics;
using System.Text;
using PyHosting.Testing;

namespace PyHosting.Samples.Tests;

/// <summary>What a run of the sample printed and how it ended.</summary>
internal sealed record SampleRun(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the built sample (<c>dotnet PyHosting.Samples.WorkerService.dll</c>) in its output folder,
/// which holds its appsettings.json and scripts, as a user would after <c>dotnet build</c>.
/// </summary>
/// <remarks>
/// The sample's output sits at <c>samples/WorkerService/bin/{Configuration}/{TargetFramework}/</c>,
/// built first through the test project's reference; <c>PYHOSTING_SAMPLE</c> overrides the folder.
/// </remarks>
internal sealed class SampleProcess : IAsyncDisposable
{
    private const string AssemblyName = "PyHosting.Samples.WorkerService.dll";
    private static readonly Lazy<string> LazyOutputDirectory = new(FindOutputDirectory);
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pumps;
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private SampleProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    /// <summary>Gets the sample's output folder (its content root in these tests).</summary>
    public static string OutputDirectory => LazyOutputDirectory.Value;

    public int ProcessId => _process.Id;

    /// <summary>Runs the sample to its end.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--Worker:RunOnce=true</c>.</param>
    /// <returns>The exit code and output.</returns>
    public static async Task<SampleRun> RunAsync(params string[] args)
    {
        await using var sample = Start(args);
        return await sample.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts the sample.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="defaultInterruptSignal">Whether SIGINT gets its default disposition in the child even when the test runner ignores it (as a background job does).</param>
    /// <returns>The running sample.</returns>
    public static SampleProcess Start(IEnumerable<string> args, bool defaultInterruptSignal = false)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = OutputDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (defaultInterruptSignal)
        {
            // An ignored signal stays ignored across exec; env resets it before starting dotnet (same pid).
            startInfo.FileName = "env";
            startInfo.ArgumentList.Add("--default-signal=INT");
            startInfo.ArgumentList.Add(TestHostLocator.Muxer);
        }
        else
        {
            startInfo.FileName = TestHostLocator.Muxer;
        }

        startInfo.ArgumentList.Add(Path.Combine(OutputDirectory, AssemblyName));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The sample must see neither the test runner's environment name nor stray Python settings.
        startInfo.Environment.Remove("DOTNET_ENVIRONMENT");
        startInfo.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        startInfo.Environment.Remove("PYTHONNET_PYDLL");
        return new SampleProcess(Process.Start(startInfo) ?? throw new InvalidOperationException("The sample could not be started."));
    }

    /// <summary>Completes when a line of standard output contains <paramref name="text"/>.</summary>
    /// <param name="text">The text to wait for.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when the text has been seen.</returns>
    public Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((text, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>Sends a signal (<c>INT</c>, <c>TERM</c>) to the sample, as Ctrl+C or a service manager would.</summary>
    /// <param name="signal">The signal's name.</param>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<SampleRun> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The sample did not exit within {timeout}:\n{Output()}");
        }

        await _pumps;
        return new SampleRun(_process.ExitCode, Read(_stdout), Read(_stderr));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static string FindOutputDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PYHOSTING_SAMPLE");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        // .../tests/PyHosting.Samples.Tests/bin/<Configuration>/<TargetFramework>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var candidate = Path.Combine(root, "samples", "WorkerService", "bin", configuration, framework);
        return File.Exists(Path.Combine(candidate, AssemblyName))
            ? candidate
            : throw new FileNotFoundException($"{AssemblyName} was not found in '{candidate}'. Build samples/WorkerService (this test project references it), or set PYHOSTING_SAMPLE.");
    }

    private string Output() => $"stdout:\n{Read(_stdout)}\nstderr:\n{Read(_stderr)}";

    private async Task PumpAsync(StreamReader reader, StringBuilder buffer)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (buffer)
            {
                buffer.AppendLine(line);
            }

            if (ReferenceEquals(buffer, _stdout))
            {
                Notify(line);
            }
        }
    }

    private void Notify(string line)
    {
        lock (_stdout)
        {
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
