using System.Collections;
using System.Globalization;

namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>
/// What a hostile script could disturb in the host process, observed from .NET and /proc: files
/// under the watched directories, child processes, threads, the environment (managed and C),
/// umask, working directory, descriptors, signal dispositions, limits, scheduling and C locale.
/// </summary>
internal sealed record HostState
{
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    public required IReadOnlyList<int> Children { get; init; }

    /// <summary>Gets the number of threads .NET did not start (see <see cref="CountForeignThreads"/>).</summary>
    public required int ForeignThreads { get; init; }

    public required IReadOnlyDictionary<string, string?> Environment { get; init; }

    public required IReadOnlyDictionary<string, string?> NativeEnvironment { get; init; }

    public required string Umask { get; init; }

    public required string WorkingDirectory { get; init; }

    public required IReadOnlyDictionary<int, string> Descriptors { get; init; }

    public required string Signals { get; init; }

    public required string Limits { get; init; }

    public required string Scheduling { get; init; }

    public required string? Locale { get; init; }

    /// <summary>Gets the C library's time zone (<c>tzname</c> and <c>timezone</c> after <c>tzset</c>), which a runtime's <c>time.tzset()</c> never changes.</summary>
    public required string CTimeZone { get; init; }

    /// <summary>Names whose C-level value is compared (the runtime's own environment never reaches the process).</summary>
    public static IReadOnlyList<string> WatchedVariables { get; } = ["PATH", "HOME", "LANG", "LD_PRELOAD", "PYHOSTING_SANDBOX_PROBE", "TZ"];

    public static HostState Capture(IEnumerable<string> watchedDirectories)
    {
        var environment = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value;
        }

        var status = ProcFile("/proc/self/status");
        return new HostState
        {
            Files = SnapshotFiles(watchedDirectories),
            Children = ListChildren(),
            ForeignThreads = CountForeignThreads(),
            Environment = environment,
            NativeEnvironment = WatchedVariables.ToDictionary(n => n, NativeMethods.GetEnvironmentVariable, StringComparer.Ordinal),
            Umask = StatusLine(status, "Umask"),
            WorkingDirectory = System.Environment.CurrentDirectory + " | " + new FileInfo("/proc/self/cwd").LinkTarget,
            Descriptors = ListDescriptors(),
            Signals = StatusLine(status, "SigIgn") + " " + StatusLine(status, "SigCgt"),
            Limits = ProcFile("/proc/self/limits"),
            Scheduling = StatusLine(status, "Cpus_allowed_list") + " nice=" + ProcFile("/proc/self/stat").Split(") ")[1].Split(' ')[16],
            Locale = NativeMethods.CurrentLocale(),
            CTimeZone = NativeMethods.CurrentTimeZone(),
        };
    }

    /// <summary>Lists every difference that a script may not cause.</summary>
    public IReadOnlyList<string> DifferencesFrom(HostState before)
    {
        var differences = new List<string>();
        Compare(differences, "files", before.Files, Files);
        if (Children.Except(before.Children).Any())
        {
            differences.Add($"child processes appeared: {string.Join(", ", Children.Except(before.Children))}");
        }

        if (ForeignThreads > before.ForeignThreads)
        {
            differences.Add($"{ForeignThreads - before.ForeignThreads} thread(s) not started by .NET appeared");
        }

        Compare(differences, "environment", before.Environment, Environment);
        Compare(differences, "C environment", before.NativeEnvironment, NativeEnvironment);
        Compare(differences, "umask", before.Umask, Umask);
        Compare(differences, "working directory", before.WorkingDirectory, WorkingDirectory);
        foreach (var (fd, target) in before.Descriptors.Where(d => IsHostObject(d.Value)))
        {
            if (!Descriptors.TryGetValue(fd, out var now) || now != target)
            {
                differences.Add($"host descriptor {fd} ({target}) was closed or replaced (now {now ?? "closed"})");
            }
        }

        foreach (var (fd, target) in Descriptors.Where(d => !before.Descriptors.ContainsKey(d.Key) && IsHostObject(d.Value)))
        {
            differences.Add($"a descriptor to a host object was opened: {fd} -> {target}");
        }

        Compare(differences, "signal dispositions", before.Signals, Signals);
        Compare(differences, "resource limits", before.Limits, Limits);
        Compare(differences, "scheduling", before.Scheduling, Scheduling);
        Compare(differences, "C locale", before.Locale, Locale);
        Compare(differences, "C time zone", before.CTimeZone, CTimeZone);
        return differences;
    }

    private static void Compare(List<string> differences, string what, string? before, string? after)
    {
        if (before != after)
        {
            differences.Add($"{what} changed: '{before}' -> '{after}'");
        }
    }

    private static void Compare<TValue>(List<string> differences, string what, IReadOnlyDictionary<string, TValue> before, IReadOnlyDictionary<string, TValue> after)
    {
        foreach (var key in before.Keys.Union(after.Keys))
        {
            var had = before.TryGetValue(key, out var old);
            var has = after.TryGetValue(key, out var now);
            if (had != has || !Equals(old, now))
            {
                differences.Add($"{what}: '{key}' {(had ? $"was '{old}'" : "was absent")}, {(has ? $"is '{now}'" : "is absent")}");
            }
        }
    }

    private static readonly string[] DotNetOwnFiles =
    [
        System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(),
        AppContext.BaseDirectory,
        "/dev/null",
        "/proc/",
    ];

    /// <summary>
    /// Files, directories and devices are host objects. .NET's own pipes, sockets and event descriptors come
    /// and go, it opens its assemblies when it loads them, and the descriptor that lists /proc/self/fd is the enumeration's own.
    /// </summary>
    private static bool IsHostObject(string target) =>
        target.StartsWith('/') && !DotNetOwnFiles.Any(p => target.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Gets path → (link target, length, write time, mode) for everything under <paramref name="directories"/>.</summary>
    public static SortedDictionary<string, string> SnapshotFiles(IEnumerable<string> directories)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in directories.Where(Directory.Exists))
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var length = entry is FileInfo { LinkTarget: null } file ? file.Length : 0;
                files[entry.FullName] = string.Create(CultureInfo.InvariantCulture, $"{entry.LinkTarget}|{length}|{entry.LastWriteTimeUtc.Ticks}|{entry.UnixFileMode}");
            }
        }

        return files;
    }

    private static List<int> ListChildren()
    {
        var self = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == self)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return children;
    }

    /// <summary>
    /// A thread started by C code inherits the name of the thread that created it, so a thread that Python
    /// started from a call (which runs on a pool worker) is named ".NET TP Worker" like the pool's own:
    /// it shows as more workers by name than <see cref="ThreadPool.ThreadCount"/>. A thread named after the
    /// process (other than the main thread) was started by native code too.
    /// </summary>
    private static int CountForeignThreads()
    {
        var processName = ProcFile("/proc/self/comm").Trim();
        var self = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var workers = 0;
        var unnamed = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                workers += name == ".NET TP Worker" ? 1 : 0;
                unnamed += name == processName && Path.GetFileName(task) != self ? 1 : 0;
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return Math.Max(0, workers - ThreadPool.ThreadCount) + unnamed;
    }

    private static SortedDictionary<int, string> ListDescriptors()
    {
        var descriptors = new SortedDictionary<int, string>();
        foreach (var entry in new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos())
        {
            try
            {
                descriptors[int.Parse(entry.Name, CultureInfo.InvariantCulture)] = entry.LinkTarget ?? "?";
            }
            catch (IOException)
            {
                // The descriptor closed meanwhile (the enumeration's own one).
            }
        }

        return descriptors;
    }

    private static string ProcFile(string path) => File.ReadAllText(path);

    private static string StatusLine(string status, string name) =>
        status.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? string.Empty;
}
