using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>
/// The Managed backend: Python's OS interface served by the providers, under the permissions.
/// Its state (descriptors, working directory, umask, environment) belongs to this instance, and each
/// bridge function is bound to the instance that created it; only the C callbacks that cannot capture
/// (inittab and exec slots, replaced C functions) find it through <see cref="PythonInterpreter.Backend"/>.
/// </summary>
internal sealed partial class ManagedBackend : IPythonBackend
{
    private readonly Func<OutputSink> _defaultSink;
    private readonly IPythonRuntimeObserver? _observer;
    private readonly Lock _stateGate = new();
    private string _workingDirectory;
    private int _umask = 0x12; // 0o022, whatever the process umask is

    public ManagedBackend(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        Func<OutputSink> defaultSink,
        IPythonRuntimeObserver? observer = null)
    {
        Options = options;
        _defaultSink = defaultSink;
        _observer = observer;
        UserFileSystem = fileSystem;
        Processes = processProvider;
        Clock = timeProvider;
        Logger = loggerFactory.CreateLogger("PyHosting.Runtime");
        Compatibility = loggerFactory.CreateLogger("PyHosting.Compatibility");
        _workingDirectory = ManagedPath.Resolve("/", options.FileSystem.WorkingDirectory);
        Environment = BuildEnvironment(options.Permissions);
        Fds = new FdTable();
        Fds.Add(new StandardFile(0, defaultSink));
        Fds.Add(new StandardFile(1, defaultSink));
        Fds.Add(new StandardFile(2, defaultSink));
        FileSystem = new RuntimeFileSystem(fileSystem, []);
        ChildProcesses = new ChildProcesses(this);
        ChildSignals = new ChildSignalGuard(options.Permissions.CreateProcess, Compatibility);
        Modules = new ModulePatcher(this);
    }

    public PythonBackend Kind => PythonBackend.Managed;

    public PythonRuntimeOptions Options { get; }

    public PythonPermissions Permissions => Options.Permissions;

    public IPythonFileSystem UserFileSystem { get; }

    public RuntimeFileSystem FileSystem { get; private set; }

    public IPythonProcessProvider Processes { get; }

    public TimeProvider Clock { get; }

    public ILogger Logger { get; }

    public ILogger Compatibility { get; }

    /// <summary>Gets or sets the managed <c>_socket</c> (set by it), which a registered <c>_ssl</c> asks for host sockets' objects.</summary>
    public Modules.SocketModule? ManagedSockets { get; set; }

    /// <summary>Gets or sets what happens when one of the runtime's child processes exits (the emulated <c>SIGCHLD</c>); called on a pool thread, without the GIL.</summary>
    public Action? ChildExited { get; set; }

    /// <summary>
    /// Gets or sets what <c>os.kill(os.getpid(), signal)</c> does (set by the managed <c>_signal</c>): the signal is
    /// emulated for the call, as <c>signal.raise_signal</c>; a new reference, or 0 with the Python error set. GIL held.
    /// </summary>
    public Func<int, nint>? SignalSelf { get; set; }

    public FdTable Fds { get; }

    public ChildProcesses ChildProcesses { get; }

    /// <summary>Gets what keeps the host alive when a child signals it while Python handles the signal.</summary>
    public ChildSignalGuard ChildSignals { get; }

    /// <summary>Gets the patcher of the tamed built-in modules, bound to this backend.</summary>
    public ModulePatcher Modules { get; }

    /// <summary>Gets the bytecode this backend lets <c>marshal.loads</c> read.</summary>
    public TrustedBytecode TrustedBytecode { get; } = new();

    /// <summary>Gets the environment Python sees (never the process's own block).</summary>
    public Dictionary<string, string> Environment { get; }

    /// <summary>Gets the runtime paths from which code may be imported whatever <c>IO</c> says.</summary>
    public IReadOnlyList<string> CodeRoots { get; private set; } = [];

    public PythonInstallation? Installation { get; private set; }

    /// <summary>Gets the virtual environment of <c>PythonRuntime:VirtualEnvironment</c>, read when the interpreter starts.</summary>
    public VirtualEnvironment? VirtualEnvironment { get; private set; }

    /// <summary>Gets the module search path entries of <see cref="VirtualEnvironment"/> (served read-only at their host paths).</summary>
    public IReadOnlyList<string> VirtualEnvironmentPaths => VirtualEnvironment?.SearchPaths ?? [];

    public OutputSink DefaultSink => _defaultSink();

    public string WorkingDirectory
    {
        get
        {
            lock (_stateGate)
            {
                return _workingDirectory;
            }
        }

        set
        {
            lock (_stateGate)
            {
                _workingDirectory = value;
            }
        }
    }

    public int Umask
    {
        get => Volatile.Read(ref _umask);
        set => Volatile.Write(ref _umask, value & 0x1FF);
    }

    public void BeforeInitialize(PythonInstallation installation)
    {
        if (Installation is not null)
        {
            throw new PythonStartupException("This managed backend was already started.");
        }

        VirtualEnvironment = VirtualEnvironment.Open(Options, Logger);
        Installation = installation;
        var roots = new List<(string, IPythonFileSystem)>
        {
            (installation.StandardLibrary, new ReadOnlyPythonFileSystem(new PhysicalPythonFileSystem(installation.StandardLibrary))),
        };
        foreach (var dir in NativeExtensionDirectories(installation).Append(TimeZoneDatabase).Where(Directory.Exists))
        {
            roots.Add((dir, new ReadOnlyPythonFileSystem(new PhysicalPythonFileSystem(dir))));
        }

        // The environment's directories are code the host chose, served like the Python home: read-only, at their host
        // paths (so that native extensions keep a host path the dynamic linker can open), whatever Permissions:IO says.
        foreach (var dir in VirtualEnvironmentPaths.Where(Directory.Exists))
        {
            if (!roots.Any(r => ManagedPath.IsUnder(dir, r.Item1)))
            {
                roots.Add((dir, new ReadOnlyPythonFileSystem(new PhysicalPythonFileSystem(dir))));
            }
        }

        FileSystem = new RuntimeFileSystem(UserFileSystem, roots);
        CodeRoots = Options.ModulePaths.Select(p => ManagedPath.Resolve("/", p)).ToList();

        // An isolated interpreter: no user site, no PYTHON* variables, safe path, no bytecode writes, no site.
        LibPython.SetIntVariable("Py_IsolatedFlag", 1);
        LibPython.SetIntVariable("Py_NoSiteFlag", 1);
        LibPython.SetIntVariable("Py_DontWriteBytecodeFlag", 1);
        Inittab.Install(KeepBuiltin);
        TrustedBytecode.RecordFrozenModules();
    }

    public void AfterInitialize(PythonInstallation installation)
    {
        StandardStreams.Install(_defaultSink, MapException);
        ManagedStartup.Complete(this, installation);
        NativeExtensionCheck.Run(Options.NativeExtensions, this);
        VirtualEnvironment?.RunImports(Logger);
    }

    /// <summary>Kills the child processes still running and closes the runtime's descriptors.</summary>
    public void OnStopping()
    {
        ChildProcesses.KillAll();
        ChildSignals.Dispose();
        Fds.CloseRange(3, FdTable.MaxDescriptors);
    }

    /// <summary>Reports a refusal: logged with what was refused (the operation and, for files, the runtime path), and counted.</summary>
    public void OnPermissionDenied(string operation, string permissionKey, string refusal)
    {
        Log.PermissionDenied(Logger, operation, permissionKey, refusal);
        _observer?.OnPermissionDenied(permissionKey);
    }

    private IEnumerable<string> NativeExtensionDirectories(PythonInstallation installation)
        => Options.NativeExtensions.Count == 0 ? [] : SystemPackageDirectories(installation);

    /// <summary>
    /// The host's time-zone database (IANA tzdata), served read-only at its own path like the Python home, so that
    /// <c>zoneinfo</c> finds it on its default search path whatever the runtime's mounts and <c>IO</c> permission.
    /// </summary>
    public const string TimeZoneDatabase = "/usr/share/zoneinfo";

    /// <summary>Where Debian's packages and pip put packages for the host's own Python.</summary>
    private static IEnumerable<string> SystemPackageDirectories(PythonInstallation installation)
        => new[] { "/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages", Path.Combine(installation.StandardLibrary, "site-packages") }
            .Where(Directory.Exists);

    /// <summary>
    /// The top-level modules installed for the host's Python that this runtime does not see (its path has no system package
    /// directory unless native extensions are registered), so that importing one can say how to get it instead of "No module named".
    /// </summary>
    public IReadOnlyCollection<string> HostPackagesOffPath()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (Options.NativeExtensions.Count > 0 || Installation is null)
        {
            return names;
        }

        foreach (var dir in SystemPackageDirectories(Installation))
        {
            try
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
                {
                    var file = Path.GetFileName(entry);
                    var name = Directory.Exists(entry) ? file : file.EndsWith(".py", StringComparison.Ordinal) || file.EndsWith(".so", StringComparison.Ordinal) ? file.Split('.')[0] : null;
                    if (name is { Length: > 0 } && !name.Contains('-', StringComparison.Ordinal) && name != "__pycache__")
                    {
                        names.Add(name);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A directory the host may not list explains nothing.
            }
        }

        return names;
    }

    private static Dictionary<string, string> BuildEnvironment(PythonPermissions permissions)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (permissions.Environment == EnvironmentAccess.Inherit)
        {
            foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            {
                env[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
            }
        }

        foreach (var (key, value) in permissions.EnvironmentVariables)
        {
            env[key] = value;
        }

        return env;
    }
}
