using System.Diagnostics;

namespace PyHosting.Internal;

/// <summary>The CPython library and the Python home (prefix) that belongs to it.</summary>
/// <param name="LibraryPath">The shared library.</param>
/// <param name="Home">The prefix whose <c>lib/python3.11</c> holds the standard library.</param>
/// <param name="Source">How the library was found, for diagnostics.</param>
internal sealed record PythonInstallation(string LibraryPath, string Home, string Source)
{
    public const string Version = "3.11";

    public string StandardLibrary => Path.Combine(Home, "lib", "python" + Version);

    public string DynLoad => Path.Combine(StandardLibrary, "lib-dynload");
}

/// <summary>
/// Finds CPython 3.11: <c>PythonRuntime:PythonLibrary</c>, then <c>PYTHONNET_PYDLL</c>, then the
/// well-known library paths (Debian's multiarch directories, <c>/usr/lib</c>, <c>/usr/local/lib</c>) whose
/// prefix holds the standard library, then the system interpreters (<c>/usr/bin/python3.11</c>,
/// <c>python3.11</c> and <c>python3</c> on PATH, asked for their LIBDIR/LDLIBRARY).
/// </summary>
internal static class PythonLibraryLocator
{
    private static readonly string[] StandardPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
        "/usr/lib/aarch64-linux-gnu/libpython3.11.so.1.0",
        "/usr/lib/libpython3.11.so.1.0",
        "/usr/local/lib/libpython3.11.so.1.0",
    ];

    private static readonly string[] Interpreters = ["/usr/bin/python3.11", "python3.11", "python3"];

    public static PythonInstallation Locate(string? configured, Func<string, string?> getEnvironmentVariable)
    {
        var tried = new List<string>();
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            if (File.Exists(full))
            {
                return new PythonInstallation(full, FindHome(full) ?? "/usr", PythonRuntimeConfigurationKeys.PythonLibrary);
            }

            throw new PythonStartupException(
                $"{PythonRuntimeConfigurationKeys.PythonLibrary} '{configured}' does not exist. Set it to the path of libpython{PythonInstallation.Version} (for example /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0), or remove it to detect the library.");
        }

        var fromEnvironment = getEnvironmentVariable("PYTHONNET_PYDLL");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            tried.Add($"PYTHONNET_PYDLL={fromEnvironment}");
            if (File.Exists(fromEnvironment))
            {
                return new PythonInstallation(Path.GetFullPath(fromEnvironment), FindHome(fromEnvironment) ?? "/usr", "PYTHONNET_PYDLL");
            }
        }

        // The well-known paths first: asking an interpreter starts a process (tens of milliseconds at start-up).
        foreach (var candidate in StandardPaths)
        {
            tried.Add(candidate);
            if (File.Exists(candidate) && FindHome(candidate) is { } home)
            {
                return new PythonInstallation(candidate, home, "standard path");
            }
        }

        foreach (var interpreter in Interpreters)
        {
            var found = AskInterpreter(interpreter);
            tried.Add($"{interpreter} (sysconfig LIBDIR/LDLIBRARY)");
            if (found is not null)
            {
                return found;
            }
        }

        throw new PythonStartupException(
            $"No CPython {PythonInstallation.Version} shared library was found. Tried: {string.Join("; ", tried)}. " +
            $"Install it (Debian: apt-get install libpython{PythonInstallation.Version}) or set PythonRuntime:PythonLibrary to the library's path.");
    }

    /// <summary>Finds the prefix whose <c>lib/python3.11/os.py</c> exists, walking up from the library's directory.</summary>
    internal static string? FindHome(string libraryPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(libraryPath));
        while (!string.IsNullOrEmpty(dir))
        {
            if (File.Exists(Path.Combine(dir, "lib", "python" + PythonInstallation.Version, "os.py")))
            {
                return dir;
            }

            dir = Path.GetDirectoryName(dir);
        }

        return null;
    }

    private static PythonInstallation? AskInterpreter(string interpreter)
    {
        try
        {
            var psi = new ProcessStartInfo(interpreter)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-I");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import sys, sysconfig; v = sysconfig.get_config_var; print(v('LIBDIR') or ''); print(v('LDLIBRARY') or ''); print(v('MULTIARCH') or ''); print(sys.base_prefix); print('%d.%d' % sys.version_info[:2])");
            using var process = Process.Start(psi);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                return null;
            }

            var lines = output.Split('\n', StringSplitOptions.TrimEntries);
            if (lines.Length < 5 || lines[4] != PythonInstallation.Version)
            {
                return null;
            }

            string[] candidates =
            [
                Path.Combine(lines[0], lines[1]),
                Path.Combine(lines[0], lines[2], lines[1]),
                Path.Combine(lines[0], lines[1] + ".1.0"),
                Path.Combine(lines[0], lines[2], lines[1] + ".1.0"),
            ];
            foreach (var candidate in candidates)
            {
                // A static library (.a) cannot be loaded.
                if (candidate.Contains(".so", StringComparison.Ordinal) && File.Exists(candidate))
                {
                    return new PythonInstallation(candidate, lines[3], interpreter);
                }
            }

            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
