using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// Builds the command that starts a worker: the worker's own executable when the application was published
/// self-contained (an apphost beside the host's runtime files, see <see cref="WorkerAppHost"/>), otherwise the worker's
/// assembly (shipped beside PyHosting.Hosting) run by the .NET muxer the host runs on, under <c>prlimit</c> for its resource limits, and, when confined, inside
/// bubblewrap: its own mount namespace in which only the system's libraries and Python's standard library
/// (<c>/usr</c>), the .NET runtime, the worker's own files and the configured mounts and module paths are
/// visible; its own PID, IPC and UTS namespaces; no network unless <c>Permissions:HostSockets</c>; all
/// capabilities dropped, no new privileges, a new session, and death with the host.
/// </summary>
internal sealed class WorkerLauncher
{
    /// <summary>The worker's assembly, beside PyHosting.Hosting's.</summary>
    public const string WorkerAssembly = "PyHosting.Worker.dll";

    /// <summary>
    /// The worker's executable in a self-contained application: an apphost that the package's build targets create
    /// from the application's own apphost template, with the application's <c>.runtimeconfig.json</c> and
    /// <c>.deps.json</c> copied as the worker's, so that it runs on the runtime files published beside the host.
    /// </summary>
    public static readonly string WorkerAppHost = OperatingSystem.IsWindows() ? "PyHosting.Worker.exe" : "PyHosting.Worker";

    /// <summary>Address space a worker needs besides Python's heap: the .NET runtime's reservations, thread stacks, shared libraries.</summary>
    public const long AddressSpaceOverhead = 3L << 30;

    /// <summary>The most open files of a worker.</summary>
    public const int MaxOpenFiles = 1024;

    private static readonly string[] BubblewrapPaths = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

    private readonly PythonRuntimeOptions _options;
    private readonly string _workerDirectory;
    private readonly string? _appHost;
    private readonly string? _muxer;
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
        EnsureWorkersCanStart(RuntimeFeature.IsDynamicCodeSupported, options);
        _workerDirectory = FindWorkerDirectory(options);
        var appHost = Path.Combine(_workerDirectory, WorkerAppHost);
        if (File.Exists(appHost))
        {
            _appHost = appHost;
        }
        else
        {
            _muxer = FindMuxer(options);
        }
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
        InheritedPipe? seccomp = null;
        if (_bubblewrap is not null)
        {
            command.Add(_bubblewrap);
            command.AddRange(ConfinementArguments());
            if (!_options.Permissions.CreateProcess && WorkerSeccomp.IsSupported)
            {
                var (pipe, descriptor) = WorkerSeccomp.CreateInheritablePipe();
                seccomp = new InheritedPipe(pipe);
                command.AddRange(["--seccomp", descriptor]);
            }

            command.Add("--");
        }

        if (_appHost is not null)
        {
            command.Add(_appHost);
        }
        else
        {
            command.Add(_muxer!);
            command.Add(workerAssembly);
        }

        return new WorkerCommand(command[0], command[1..], environment, workingDirectory, _bubblewrap is not null, seccomp);
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
        if (_muxer is not null)
        {
            Bind(Path.GetDirectoryName(_muxer)!, writable: false);
        }
        else
        {
            Bind(_appHost!, writable: false);
        }

        foreach (var file in WorkerFiles())
        {
            Bind(file, writable: false);
        }

        if (_options.PythonLibrary is { Length: > 0 } library)
        {
            Bind(Path.GetDirectoryName(Path.GetFullPath(library))!, writable: false);
        }

        // The virtual environment's packages (and the registered native extensions in it), read-only.
        if (_options.VirtualEnvironment is { Length: > 0 } venv)
        {
            Bind(Path.GetFullPath(venv, ContentRoot), writable: false);
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

    /// <summary>
    /// Refuses worker processes in a NativeAOT host before any starts: the worker is a .NET assembly whose dependencies
    /// (this library among them) a NativeAOT publish compiles into the executable instead of placing beside it.
    /// </summary>
    /// <param name="dynamicCode">Whether the host runs on the .NET runtime (<see cref="RuntimeFeature.IsDynamicCodeSupported"/>).</param>
    /// <param name="options">The runtime's options, for its key.</param>
    /// <exception cref="PythonStartupException">The host is a NativeAOT executable.</exception>
    internal static void EnsureWorkersCanStart(bool dynamicCode, PythonRuntimeOptions options)
    {
        if (!dynamicCode)
        {
            var mode = options.Key(PythonRuntimeConfigurationKeys.IsolationMode);
            throw new PythonStartupException(
                $"{mode}=Process is not supported in a NativeAOT application: worker processes run on the .NET runtime with the library's assemblies, which a NativeAOT publish does not place beside the executable. Set {mode}=InProcess, or publish the application without PublishAot.");
        }
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location (a single-file or NativeAOT host) is skipped, and AppContext.BaseDirectory is looked in next.")]
    private static string FindWorkerDirectory(PythonRuntimeOptions options)
    {
        foreach (var directory in (string?[])[Path.GetDirectoryName(typeof(WorkerLauncher).Assembly.Location), AppContext.BaseDirectory])
        {
            if (!string.IsNullOrEmpty(directory) && File.Exists(Path.Combine(directory, WorkerAssembly)))
            {
                return directory;
            }
        }

        var mode = options.Key(PythonRuntimeConfigurationKeys.IsolationMode);
        throw new PythonStartupException(
            $"{mode}=Process needs the worker ({WorkerAssembly} with its .runtimeconfig.json and .deps.json) beside PyHosting.Hosting.dll in {AppContext.BaseDirectory}; the PyHosting.Hosting package copies it to the output on build and publish, or reference the PyHosting.Worker project. Or set {mode}=InProcess.");
    }

    private static string FindMuxer(PythonRuntimeOptions options)
    {
        var muxerName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

        // Beside the shared runtime the host runs on (a framework-dependent host), then where the environment says .NET is.
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", muxerName));
        if (File.Exists(fromRuntime))
        {
            return fromRuntime;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, muxerName)))
        {
            return Path.Combine(root, muxerName);
        }

        var mode = options.Key(PythonRuntimeConfigurationKeys.IsolationMode);
        return FindOnPath(muxerName) ?? throw new PythonStartupException(
            $"{mode}=Process cannot start its worker: there is no {WorkerAppHost} beside the application in {AppContext.BaseDirectory} (the PyHosting.Hosting package creates it when the application is published self-contained) and no .NET muxer (dotnet) to run {WorkerAssembly} with (looked beside the runtime, in DOTNET_HOST_PATH, DOTNET_ROOT and PATH). "
            + "A NativeAOT application runs its workers on an installed .NET 10 runtime: install it (or set DOTNET_ROOT), publish self-contained without NativeAOT, or set " + mode + "=InProcess.");
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

    /// <summary>The host's ends of the seccomp filter's pipe, closed once the worker has started.</summary>
    private sealed class InheritedPipe(System.IO.Pipes.AnonymousPipeServerStream pipe) : IDisposable
    {
        public void Dispose()
        {
            pipe.DisposeLocalCopyOfClientHandle();
            pipe.Dispose();
        }
    }
}
