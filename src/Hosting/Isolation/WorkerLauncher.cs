using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// Builds the command that starts a worker: the worker's assembly (shipped beside PyHosting.Hosting) run by the
/// .NET muxer the host itself runs on, under <c>prlimit</c> for its resource limits, and, when confined, inside
/// bubblewrap: its own mount namespace in which only the system's libraries and Python's standard library
/// (<c>/usr</c>), the .NET runtime, the worker's own files and the configured mounts and module paths are
/// visible; its own PID, IPC and UTS namespaces; no network unless <c>Permissions:HostSockets</c>; all
/// capabilities dropped, no new privileges, a new session, and death with the host.
/// </summary>
internal sealed class WorkerLauncher
{
    /// <summary>The worker's assembly, beside PyHosting.Hosting's.</summary>
    public const string WorkerAssembly = "PyHosting.Worker.dll";

    /// <summary>Address space a worker needs besides Python's heap: the .NET runtime's reservations, thread stacks, shared libraries.</summary>
    public const long AddressSpaceOverhead = 3L << 30;

    /// <summary>The most open files of a worker.</summary>
    public const int MaxOpenFiles = 1024;

    private static readonly string[] BubblewrapPaths = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

    private readonly PythonRuntimeOptions _options;
    private readonly string _workerDirectory;
    private readonly string _muxer;
    private readonly string? _bubblewrap;

    /// <summary>Initializes a new instance of the <see cref="WorkerLauncher"/> class.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="contentRoot">The directory relative mount host paths are relative to.</param>
    /// <param name="confine">Whether to confine workers (the caller has checked that bubblewrap works).</param>
    /// <exception cref="PythonStartupException">The worker's files or the .NET muxer cannot be found.</exception>
    public WorkerLauncher(PythonRuntimeOptions options, string contentRoot, bool confine)
    {
        _options = options;
        ContentRoot = contentRoot;
        _workerDirectory = FindWorkerDirectory();
        _muxer = FindMuxer();
        _bubblewrap = confine ? FindBubblewrap() : null;
    }

    /// <summary>Gets the directory relative mount host paths are relative to.</summary>
    public string ContentRoot { get; }

    /// <summary>Gets a value indicating whether workers run confined.</summary>
    public bool Confined => _bubblewrap is not null;

    /// <summary>Finds bubblewrap and checks that it can create the namespaces a worker needs.</summary>
    /// <param name="reason">Why it cannot, when it cannot.</param>
    /// <returns>Whether workers can be confined.</returns>
    public static bool CanConfine(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "confinement needs Linux namespaces (bubblewrap)";
            return false;
        }

        var bwrap = FindBubblewrap();
        if (bwrap is null)
        {
            reason = "bubblewrap (bwrap) is not installed; install the 'bubblewrap' package";
            return false;
        }

        try
        {
            var probe = new ProcessStartInfo(bwrap)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--", "/bin/true"])
            {
                probe.ArgumentList.Add(argument);
            }

            using var process = Process.Start(probe)!;
            var error = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                reason = "bubblewrap did not answer within 10 s";
                return false;
            }

            reason = process.ExitCode == 0 ? string.Empty : $"bubblewrap cannot create namespaces here ({error.Trim()}); user namespaces may be disabled (kernel.unprivileged_userns_clone, a container's seccomp profile)";
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            reason = "bubblewrap cannot be run: " + e.Message;
            return false;
        }
    }

    /// <summary>Builds the command for one worker.</summary>
    /// <returns>The command.</returns>
    public WorkerCommand Create()
    {
        var workerAssembly = Path.Combine(_workerDirectory, WorkerAssembly);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // No diagnostic IPC endpoint (nothing created in /tmp, nothing to attach to), and a bounded .NET heap:
            // the worker's own .NET side only relays frames.
            ["DOTNET_EnableDiagnostics"] = "0",
            ["DOTNET_GCHeapHardLimit"] = "0x20000000",
            ["DOTNET_TieredPGO"] = "0",
            ["DOTNET_TC_QuickJitForLoops"] = "1",
        };

        var command = new List<string>();
        var limits = Limits();
        if (limits.Count > 0 && FindOnPath("prlimit") is { } prlimit)
        {
            command.Add(prlimit);
            command.AddRange(limits);
            command.Add("--");
        }

        var workingDirectory = _bubblewrap is null ? ContentRoot : "/";
        if (_bubblewrap is not null)
        {
            command.Add(_bubblewrap);
            command.AddRange(ConfinementArguments());
            command.Add("--");
        }

        command.Add(_muxer);
        command.Add(workerAssembly);
        return new WorkerCommand(command[0], command[1..], environment, workingDirectory, _bubblewrap is not null);
    }

    private List<string> Limits()
    {
        var limits = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return limits;
        }

        if (_options.MemoryLimit is > 0 and var memory)
        {
            limits.Add(string.Create(CultureInfo.InvariantCulture, $"--as={memory + AddressSpaceOverhead}"));
        }

        limits.Add(string.Create(CultureInfo.InvariantCulture, $"--nofile={MaxOpenFiles}:{MaxOpenFiles}"));
        return limits;
    }

    private List<string> ConfinementArguments()
    {
        var args = new List<string>
        {
            "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--cap-drop", "ALL", "--hostname", "pyhosting-worker",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--ro-bind", "/usr", "/usr",
        };
        if (!_options.Permissions.HostSockets)
        {
            args.Add("--unshare-net");
        }

        foreach (var top in (string[])["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"])
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, top]);
            }
            else if (Directory.Exists(top))
            {
                args.AddRange(["--ro-bind", top, top]);
            }
        }

        // The loader's cache and the local time zone; name resolution and certificates only with network access.
        var etc = new List<string> { "/etc/ld.so.cache", "/etc/localtime" };
        if (_options.Permissions.HostSockets)
        {
            etc.AddRange(["/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl", "/etc/ca-certificates"]);
        }

        foreach (var path in etc)
        {
            if (File.Exists(path) || Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }

        var bound = new HashSet<string>(StringComparer.Ordinal);
        void Bind(string path, bool writable)
        {
            var full = Path.GetFullPath(path);
            if (full.StartsWith("/usr/", StringComparison.Ordinal) && !writable)
            {
                return;
            }

            if (bound.Add(full) && (File.Exists(full) || Directory.Exists(full)))
            {
                args.AddRange([writable ? "--bind" : "--ro-bind", full, full]);
            }
        }

        // The .NET runtime (when it is not under /usr) and the worker's own files, one by one: the rest of the
        // application's directory (its settings, its data) stays invisible.
        Bind(Path.GetDirectoryName(_muxer)!, writable: false);
        foreach (var file in WorkerFiles())
        {
            Bind(file, writable: false);
        }

        if (_options.PythonLibrary is { Length: > 0 } library)
        {
            Bind(Path.GetDirectoryName(Path.GetFullPath(library))!, writable: false);
        }

        foreach (var mount in _options.FileSystem.Mounts)
        {
            if (!mount.InMemory && mount.HostPath is { Length: > 0 } hostPath)
            {
                Bind(Path.GetFullPath(hostPath, ContentRoot), writable: !mount.ReadOnly && _options.Permissions.IO == IOAccess.All);
            }
        }

        if (_options.Backend == PythonBackend.Native)
        {
            foreach (var path in _options.ModulePaths)
            {
                Bind(path, writable: false);
            }
        }

        args.AddRange(["--chdir", "/"]);
        return args;
    }

    /// <summary>The worker's assembly, its runtime files and every assembly its dependency manifest lists, in the worker's directory.</summary>
    private IEnumerable<string> WorkerFiles()
    {
        var name = Path.GetFileNameWithoutExtension(WorkerAssembly);
        yield return Path.Combine(_workerDirectory, WorkerAssembly);
        yield return Path.Combine(_workerDirectory, name + ".runtimeconfig.json");
        var deps = Path.Combine(_workerDirectory, name + ".deps.json");
        yield return deps;
        if (!File.Exists(deps))
        {
            yield break;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(deps));
        if (!document.RootElement.TryGetProperty("targets", out var targets))
        {
            yield break;
        }

        foreach (var target in targets.EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                foreach (var section in (string[])["runtime", "native"])
                {
                    if (library.Value.TryGetProperty(section, out var assets))
                    {
                        foreach (var asset in assets.EnumerateObject())
                        {
                            yield return Path.Combine(_workerDirectory, Path.GetFileName(asset.Name));
                        }
                    }
                }
            }
        }
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location (a single-file or NativeAOT host) is skipped, and AppContext.BaseDirectory is looked in next.")]
    private static string FindWorkerDirectory()
    {
        foreach (var directory in (string?[])[Path.GetDirectoryName(typeof(WorkerLauncher).Assembly.Location), AppContext.BaseDirectory])
        {
            if (!string.IsNullOrEmpty(directory) && File.Exists(Path.Combine(directory, WorkerAssembly)))
            {
                return directory;
            }
        }

        throw new PythonStartupException(
            $"{PythonRuntimeConfigurationKeys.IsolationMode}=Process needs the worker ({WorkerAssembly} with its .runtimeconfig.json and .deps.json) beside PyHosting.Hosting.dll in {AppContext.BaseDirectory}; the PyHosting.Hosting package copies it to the output, or reference the PyHosting.Worker project. Or set {PythonRuntimeConfigurationKeys.IsolationMode}=InProcess.");
    }

    private static string FindMuxer()
    {
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        if (File.Exists(fromRuntime))
        {
            return fromRuntime;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        return FindOnPath("dotnet") ?? throw new PythonStartupException(
            $"{PythonRuntimeConfigurationKeys.IsolationMode}=Process starts workers with the .NET muxer (dotnet), which was not found beside the runtime ({RuntimeEnvironment.GetRuntimeDirectory()}) nor on PATH. Install the .NET runtime, or set {PythonRuntimeConfigurationKeys.IsolationMode}=InProcess.");
    }

    private static string? FindBubblewrap() => Array.Find(BubblewrapPaths, File.Exists) ?? FindOnPath("bwrap");

    private static string? FindOnPath(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
