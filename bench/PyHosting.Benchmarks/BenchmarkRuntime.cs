using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Benchmarks;

/// <summary>The backend set-ups compared by the suite.</summary>
public enum BenchmarkBackend
{
    /// <summary>Plain CPython: Python calls POSIX directly.</summary>
    Native,

    /// <summary>The Managed backend; file cases mount a physical temporary directory at <c>/data</c>.</summary>
    Managed,

    /// <summary>The Managed backend with an in-memory file system mounted at <c>/data</c>.</summary>
    ManagedInMemory,
}

/// <summary>
/// Starts the process's one interpreter for a benchmark case. CPython starts once per process, so
/// every case runs in its own process (BenchmarkDotNet's default out-of-process toolchain) and
/// calls this from its <c>[GlobalSetup]</c>.
/// </summary>
internal sealed class BenchmarkRuntime : IDisposable
{
    /// <summary>The module that <see cref="Start"/> registers in <c>sys.modules</c> for call benchmarks.</summary>
    public const string ModuleName = "pyhosting_bench";

    /// <summary>
    /// The environment variable that, when set, gives <see cref="PythonRuntimeOptions.MemoryLimit"/> in bytes
    /// (0: no limit, CPython's allocators unhooked). BenchmarkDotNet jobs set it to compare both in one run.
    /// </summary>
    public const string MemoryLimitVariable = "PYHOSTING_BENCH_MEMORY_LIMIT";

    private const string ModuleSource =
        "def noop():\n" +
        "    return None\n";

    private readonly PhysicalPythonFileSystem? _physical;

    private BenchmarkRuntime(PythonRuntime runtime, string? hostDirectory, string dataPath, PhysicalPythonFileSystem? physical)
    {
        Runtime = runtime;
        HostDirectory = hostDirectory;
        DataPath = dataPath;
        _physical = physical;
    }

    public PythonRuntime Runtime { get; }

    /// <summary>Gets the host directory the case writes to (Native and Managed physical), or null.</summary>
    public string? HostDirectory { get; }

    /// <summary>Gets the directory Python code should use for file work.</summary>
    public string DataPath { get; }

    /// <summary>Starts the interpreter for <paramref name="backend"/> and registers the benchmark module.</summary>
    public static BenchmarkRuntime Start(BenchmarkBackend backend, Action<PythonRuntimeOptions>? configure = null)
    {
        var options = new PythonRuntimeOptions
        {
            Backend = backend == BenchmarkBackend.Native ? PythonBackend.Native : PythonBackend.Managed,
            ExecutionTimeout = TimeSpan.FromSeconds(30),
        };
        options.Permissions.IO = IOAccess.All;
        if (Environment.GetEnvironmentVariable(MemoryLimitVariable) is { Length: > 0 } limit)
        {
            options.MemoryLimit = long.Parse(limit, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (backend == BenchmarkBackend.Native)
        {
            options.Permissions.NativeAccess = true;
        }

        configure?.Invoke(options);

        string? hostDirectory = null;
        PhysicalPythonFileSystem? physical = null;
        IPythonFileSystem fileSystem;
        string dataPath;
        switch (backend)
        {
            case BenchmarkBackend.Native:
                hostDirectory = CreateTemporaryDirectory();
                fileSystem = new InMemoryPythonFileSystem();
                dataPath = hostDirectory;
                break;
            case BenchmarkBackend.Managed:
                hostDirectory = CreateTemporaryDirectory();
                physical = new PhysicalPythonFileSystem(hostDirectory);
                fileSystem = new MountTablePythonFileSystem(new PythonMount("/data", physical));
                dataPath = "/data";
                break;
            default:
                fileSystem = new MountTablePythonFileSystem(new PythonMount("/data", new InMemoryPythonFileSystem()));
                dataPath = "/data";
                break;
        }

        var runtime = PythonRuntimeFactory.Create(options, fileSystem, new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance);
        runtime.Start();
        var result = new BenchmarkRuntime(runtime, hostDirectory, dataPath, physical);
        result.DefineModule(ModuleName, ModuleSource);
        return result;
    }

    /// <summary>Registers a module built from <paramref name="source"/> in <c>sys.modules</c> (no file needed on either backend).</summary>
    public void DefineModule(string name, string source)
    {
        var code =
            "import sys as _s, types as _t\n" +
            $"_m = _t.ModuleType({PythonRuntime.PythonLiteral(name)})\n" +
            $"exec({PythonRuntime.PythonLiteral(source)}, _m.__dict__)\n" +
            $"_s.modules[{PythonRuntime.PythonLiteral(name)}] = _m\n" +
            "del _s, _t, _m\n";
        Runtime.ExecuteAsync(code).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Runtime.Stop();
        _physical?.Dispose();
        if (HostDirectory is not null)
        {
            try
            {
                Directory.Delete(HostDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory left behind is harmless.
            }
        }
    }

    /// <summary>
    /// A fresh temporary directory, on tmpfs (<c>/dev/shm</c>) where there is one: on a disk file
    /// system, creating files right after deleting others makes the kernel's inode allocator the
    /// bottleneck (ext4 skips recently deleted inodes), which would measure the disk, not the backends.
    /// </summary>
    private static string CreateTemporaryDirectory()
    {
        const string tmpfs = "/dev/shm";
        if (Directory.Exists(tmpfs))
        {
            try
            {
                return Directory.CreateDirectory(Path.Combine(tmpfs, "pyhosting-bench-" + Guid.NewGuid().ToString("N"))).FullName;
            }
            catch (UnauthorizedAccessException)
            {
                // Fall back to the usual temporary directory.
            }
        }

        return Directory.CreateTempSubdirectory("pyhosting-bench-").FullName;
    }
}
