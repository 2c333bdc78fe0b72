using System.ComponentModel;
using System.Diagnostics;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// Compiles <c>Extensions/tinyext.c</c> with gcc against the system CPython 3.11's headers, once per
/// test run, into a directory laid out like a module path:
/// <list type="bullet">
/// <item><description><c>tinyext{EXT_SUFFIX}</c>: a top-level extension module;</description></item>
/// <item><description><c>nativepkg/__init__.py</c> and <c>nativepkg/_speedups{EXT_SUFFIX}</c>: a package whose native code is a submodule;</description></item>
/// <item><description><c>pure_module.py</c>: Python code only.</description></item>
/// </list>
/// The Native backend gets a copy of its own: it writes <c>__pycache__</c> next to the sources, as
/// CPython does, and the Managed backend does not read bytecode that is not the Python home's own.
/// </summary>
internal sealed class CompiledExtensions
{
    /// <summary>The interpreter whose headers and extension suffix the runtime's libpython3.11 matches.</summary>
    private const string SystemPython = "/usr/bin/python3.11";

    private static readonly Lazy<Task<CompiledExtensions>> Shared = new(BuildAsync);

    private CompiledExtensions(string directory, string nativeBackendDirectory, string suffix)
    {
        Directory = directory;
        NativeBackendDirectory = nativeBackendDirectory;
        Suffix = suffix;
    }

    /// <summary>Gets the host directory holding the compiled extensions (for Managed runtimes).</summary>
    public string Directory { get; }

    /// <summary>Gets a copy of <see cref="Directory"/> for Native runtimes.</summary>
    public string NativeBackendDirectory { get; }

    /// <summary>Gets the extension file suffix, e.g. <c>.cpython-311-x86_64-linux-gnu.so</c>.</summary>
    public string Suffix { get; }

    /// <summary>Compiles the extensions on first use; later calls return the same build.</summary>
    public static Task<CompiledExtensions> GetAsync() => Shared.Value;

    private static async Task<CompiledExtensions> BuildAsync()
    {
        var paths = await RunAsync(
            SystemPython,
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))");
        var lines = paths.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (include, suffix) = (lines[0], lines[1]);
        if (!File.Exists(Path.Combine(include, "Python.h")))
        {
            throw new InvalidOperationException($"Python.h was not found in {include}: install python3-dev (apt-get install python3-dev).");
        }

        var root = Path.Combine(AppContext.BaseDirectory, "native-build");
        if (System.IO.Directory.Exists(root))
        {
            System.IO.Directory.Delete(root, recursive: true);
        }

        var directory = Path.Combine(root, "managed");

        var package = System.IO.Directory.CreateDirectory(Path.Combine(directory, "nativepkg")).FullName;
        var source = Path.Combine(AppContext.BaseDirectory, "Extensions", "tinyext.c");
        await CompileAsync(source, include, Path.Combine(directory, "tinyext" + suffix));
        await CompileAsync(source, include, Path.Combine(package, "_speedups" + suffix), "-DMODULE_NAME=_speedups");
        await File.WriteAllTextAsync(Path.Combine(package, "__init__.py"), "from ._speedups import add, greet\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "pure_module.py"), "VALUE = 1\n");
        var nativeBackendDirectory = Path.Combine(root, "native");
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(nativeBackendDirectory, Path.GetRelativePath(directory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return new CompiledExtensions(directory, nativeBackendDirectory, suffix);
    }

    private static Task<string> CompileAsync(string source, string include, string output, params string[] defines) =>
        RunAsync("gcc", ["-shared", "-fPIC", "-O1", "-Wall", "-Werror", $"-I{include}", .. defines, source, "-o", output]);

    private static async Task<string> RunAsync(string executable, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{executable} could not be started.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{executable} could not be started ({e.Message}): the native extension tests need gcc and python3-dev (apt-get install gcc python3-dev).", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0
                ? await stdout
                : throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{await stderr}");
        }
    }
}
