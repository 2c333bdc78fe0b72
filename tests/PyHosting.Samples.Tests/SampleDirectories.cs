namespace PyHosting.Samples.Tests;

/// <summary>A temporary output folder mounted at /out and a folder for scripts written by a test.</summary>
internal sealed class SampleDirectories : IDisposable
{
    // appsettings.json mounts scripts at /app (0), memory at /tmp (1) and the output folder at /out (2).
    private const string OutMount = "--PythonRuntime:FileSystem:Mounts:2";

    public DirectoryInfo Out { get; } = Directory.CreateTempSubdirectory("pyhosting-sample-out-");

    public DirectoryInfo Scripts { get; } = Directory.CreateTempSubdirectory("pyhosting-sample-scripts-");

    /// <summary>Gets the arguments that mount <see cref="Out"/> at /out instead of the sample's out folder.</summary>
    public string[] OutputMount => [$"{OutMount}:Path=/out", $"{OutMount}:HostPath={Out.FullName}"];

    public static string Describe(SampleRun run) => $"exit code {run.ExitCode}\nstdout:\n{run.StandardOutput}\nstderr:\n{run.StandardError}";

    public string WriteScript(string name, string source)
    {
        var path = Path.Combine(Scripts.FullName, name);
        File.WriteAllText(path, source);
        return path;
    }

    public void Dispose()
    {
        Out.Delete(recursive: true);
        Scripts.Delete(recursive: true);
    }
}
