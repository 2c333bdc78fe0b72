using System.Globalization;
using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// A virtual environment made with <c>python3.11 -m venv</c> (<c>PythonRuntime:VirtualEnvironment</c>), read from the host
/// before the interpreter starts: its <c>site-packages</c>, the directories and <c>import</c> lines of its <c>.pth</c> files
/// (read as CPython's <c>site.addsitedir</c> reads them), and the native extension modules inside, each of which must be
/// registered in <c>PythonRuntime:NativeExtensions</c>. Host validation and the runtime's start report the same problems.
/// </summary>
internal sealed unsafe class VirtualEnvironment
{
    /// <summary>The Python version a virtual environment must have been made with.</summary>
    public const string PythonVersion = "3.11";

    private const string Key = PythonRuntimeConfigurationKeys.VirtualEnvironment;
    private const string NativeExtensionsKey = PythonRuntimeConfigurationKeys.NativeExtensions;
    private const int MaxDepth = 32;

    private readonly List<string> _problems = [];
    private readonly List<string> _searchPaths = [];
    private readonly List<PthImport> _imports = [];
    private readonly List<NativeModule> _nativeModules = [];
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

    private VirtualEnvironment(string configured, string root, PythonBackend backend)
    {
        Configured = configured;
        Root = root;
        Backend = backend;
        SitePackages = Path.Combine(root, "lib", "python" + PythonVersion, "site-packages");
    }

    /// <summary>Gets the value of <c>PythonRuntime:VirtualEnvironment</c> as configured.</summary>
    public string Configured { get; }

    /// <summary>Gets the virtual environment's full host path.</summary>
    public string Root { get; }

    /// <summary>Gets the backend the environment is read for (the Managed backend serves only what is inside it).</summary>
    public PythonBackend Backend { get; }

    /// <summary>Gets the full host path of <c>lib/python3.11/site-packages</c>.</summary>
    public string SitePackages { get; }

    /// <summary>Gets the module search path entries: <see cref="SitePackages"/>, then the directories of its <c>.pth</c> files, in order.</summary>
    public IReadOnlyList<string> SearchPaths => _searchPaths;

    /// <summary>Gets the <c>import</c> lines of the <c>.pth</c> files, which CPython executes at start.</summary>
    public IReadOnlyList<PthImport> Imports => _imports;

    /// <summary>Gets the native extension modules found inside.</summary>
    public IReadOnlyList<NativeModule> NativeModules => _nativeModules;

    /// <summary>Gets a value indicating whether <c>pyvenv.cfg</c> asks for the system's site-packages, which the runtime does not follow.</summary>
    public bool IncludesSystemSitePackages { get; private set; }

    /// <summary>Gets what is wrong with the environment, one message each, naming the key, the value and the fix.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Reads the virtual environment of <paramref name="options"/>; <see langword="null"/> when none is configured.</summary>
    /// <param name="options">The options; a relative <see cref="PythonRuntimeOptions.VirtualEnvironment"/> is taken relative to <paramref name="baseDirectory"/>.</param>
    /// <param name="baseDirectory">The directory relative paths are relative to.</param>
    /// <returns>The environment with its problems (unregistered native extensions included), or <see langword="null"/>.</returns>
    public static VirtualEnvironment? Read(PythonRuntimeOptions options, string baseDirectory)
    {
        var configured = options.VirtualEnvironment;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        var environment = new VirtualEnvironment(configured, Path.GetFullPath(configured, baseDirectory), options.Backend);
        if (environment.ReadLayout())
        {
            environment.ReadPthFiles();
            environment.FindNativeModules(environment.SitePackages, string.Empty, 0);
            environment.CheckRegistrations(options.NativeExtensions);
        }

        return environment;
    }

    /// <summary>Reads the virtual environment of <paramref name="options"/> as the runtime starts (a relative path is relative to the current directory).</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">Where a <c>pyvenv.cfg</c> setting the runtime does not follow is reported.</param>
    /// <returns>The environment, or <see langword="null"/> when none is configured.</returns>
    /// <exception cref="PythonStartupException">The environment has a problem; the message lists them all.</exception>
    public static VirtualEnvironment? Open(PythonRuntimeOptions options, ILogger? logger)
    {
        VirtualEnvironment? environment;
        try
        {
            environment = Read(options, Directory.GetCurrentDirectory());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PythonStartupException($"{Key} '{options.VirtualEnvironment}' cannot be read ({e.Message}); make the directory readable by the host.", e);
        }

        if (environment is null)
        {
            return null;
        }

        if (environment.Problems.Count > 0)
        {
            throw new PythonStartupException(string.Join(Environment.NewLine, environment.Problems));
        }

        if (environment.IncludesSystemSitePackages && logger is not null)
        {
            Log.SystemSitePackagesNotFollowed(logger, environment.Root);
        }

        return environment;
    }

    /// <summary>Adds <see cref="SearchPaths"/> to <c>sys.path</c> ahead of the system's site-packages (Native backend; the Managed backend sets its whole path itself). Requires the GIL.</summary>
    public void AddToPath() => CallShim("add_paths", ValueConverter.ToPython(_searchPaths.ToList()), ValueConverter.ToPython(true));

    /// <summary>Runs the <c>import</c> lines of the <c>.pth</c> files as CPython's <c>site</c> does; a failing line is logged and the others still run. Requires the GIL.</summary>
    /// <param name="logger">Where failures are reported.</param>
    public void RunImports(ILogger? logger)
    {
        if (_imports.Count == 0)
        {
            return;
        }

        var lines = ValueConverter.ToPython(_imports.Select(static i => new List<object?> { i.File, (long)i.Line, i.Code }).ToList());
        var failures = CallShim("run_imports", lines);
        foreach (var failure in failures)
        {
            if (logger is not null)
            {
                Log.PthImportFailed(logger, failure);
            }
        }
    }

    private static List<string> CallShim(string function, params ReadOnlySpan<nint> args)
    {
        var shim = EmbeddedPython.Run("pyhosting_venv.py");
        try
        {
            var result = EmbeddedPython.Call(shim, function, args);
            try
            {
                return ValueConverter.ToClr(result) is IList<object?> items ? [.. items.Select(static i => i?.ToString() ?? string.Empty)] : [];
            }
            finally
            {
                LibPython.Py_DecRef(result);
            }
        }
        finally
        {
            LibPython.Py_DecRef(shim);
        }
    }

    /// <summary>Gets a value indicating whether <paramref name="module"/> is covered by one of <paramref name="registered"/> (the module itself or a package above it).</summary>
    internal static bool IsRegistered(string module, IEnumerable<string> registered) =>
        registered.Any(r => module == r || module.StartsWith(r + ".", StringComparison.Ordinal));

    /// <summary>The module name of an extension file (<c>x.cpython-311-*.so</c>, <c>x.abi3.so</c>, <c>x.so</c>), or <see langword="null"/> when CPython 3.11 would not import it.</summary>
    internal static string? ModuleName(string fileName)
    {
        if (!fileName.EndsWith(".so", StringComparison.Ordinal))
        {
            return null;
        }

        var stem = fileName[..^3];
        var dot = stem.LastIndexOf('.');
        if (dot >= 0)
        {
            var tag = stem[(dot + 1)..];
            if (tag != "abi3" && !tag.StartsWith("cpython-311-", StringComparison.Ordinal))
            {
                return null;
            }

            stem = stem[..dot];
        }

        return IsIdentifier(stem) ? stem : null;
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (name[0] == '_' || char.IsLetter(name[0])) && name.All(static c => c == '_' || char.IsLetterOrDigit(c));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private string Subject => $"{Key} '{Configured}'";

    private bool ReadLayout()
    {
        if (File.Exists(Root))
        {
            _problems.Add($"{Subject} is a file ({Root}); set the directory of a virtual environment made with 'python{PythonVersion} -m venv'.");
            return false;
        }

        if (!Directory.Exists(Root))
        {
            _problems.Add($"{Subject} does not exist ({Root}; a relative path is relative to the content root); create it with 'python{PythonVersion} -m venv {Root}', or correct the path.");
            return false;
        }

        var config = Path.Combine(Root, "pyvenv.cfg");
        if (!File.Exists(config))
        {
            _problems.Add($"{Subject} is not a virtual environment: {Root} has no pyvenv.cfg; create one with 'python{PythonVersion} -m venv {Root}', or set the directory that holds pyvenv.cfg.");
            return false;
        }

        var settings = ReadConfig(config);
        var version = settings.GetValueOrDefault("version") ?? settings.GetValueOrDefault("version_info");
        if (version is null || (version != PythonVersion && !version.StartsWith(PythonVersion + ".", StringComparison.Ordinal)))
        {
            var found = version is null ? "no version in pyvenv.cfg" : $"Python {version}";
            _problems.Add($"{Subject} was made for {found}, but the runtime is CPython {PythonVersion}; recreate it with 'python{PythonVersion} -m venv {Root}' and install its packages again.");
            return false;
        }

        IncludesSystemSitePackages = string.Equals(settings.GetValueOrDefault("include-system-site-packages"), "true", StringComparison.OrdinalIgnoreCase);
        if (!Directory.Exists(SitePackages))
        {
            _problems.Add($"{Subject} has no lib/python{PythonVersion}/site-packages ({SitePackages}); recreate it with 'python{PythonVersion} -m venv {Root}'.");
            return false;
        }

        _searchPaths.Add(SitePackages);
        return true;
    }

    private static Dictionary<string, string> ReadConfig(string path)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in File.ReadLines(path))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        return settings;
    }

    /// <summary>As <c>site.addpackage</c>: comments and blank lines skipped, <c>import</c> lines kept to run, other lines are directories relative to site-packages, added when they exist.</summary>
    private void ReadPthFiles()
    {
        var files = Directory.EnumerateFiles(SitePackages, "*.pth")
            .Select(Path.GetFileName)
            .Where(static n => n is not null && !n.StartsWith('.'))
            .Order(StringComparer.Ordinal);
        foreach (var name in files)
        {
            var file = Path.Combine(SitePackages, name!);
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("import\t", StringComparison.Ordinal))
                {
                    _imports.Add(new PthImport(file, number, line));
                    continue;
                }

                AddPthDirectory(file, number, Path.GetFullPath(Path.Combine(SitePackages, line.TrimEnd())));
            }
        }
    }

    private void AddPthDirectory(string file, int line, string directory)
    {
        if (!Directory.Exists(directory) && !File.Exists(directory))
        {
            return; // as site does: a line naming nothing is skipped
        }

        if (Backend == PythonBackend.Managed && !IsInside(directory, Root))
        {
            _problems.Add(Invariant($"{Subject}: {file} line {line} adds '{directory}', outside the virtual environment, which the Managed backend does not serve; move the directory into the virtual environment, or mount it ({PythonRuntimeConfigurationKeys.Mounts}) and list its runtime path in {PythonRuntimeConfigurationKeys.ModulePaths}."));
            return;
        }

        if (!_searchPaths.Contains(directory))
        {
            _searchPaths.Add(directory);
            if (!IsInside(directory, SitePackages) && Directory.Exists(directory))
            {
                FindNativeModules(directory, string.Empty, 0);
            }
        }
    }

    /// <summary>Lists the extension modules below <paramref name="directory"/>, going only into directories that can be packages.</summary>
    private void FindNativeModules(string directory, string package, int depth)
    {
        if (depth > MaxDepth || !_visited.Add(Path.GetFullPath(directory)))
        {
            return;
        }

        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(static e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _problems.Add($"{Subject}: {directory} cannot be listed ({e.Message}); make it readable by the host.");
            return;
        }

        foreach (var entry in entries)
        {
            var target = entry;
            if (entry.LinkTarget is not null)
            {
                target = entry.ResolveLinkTarget(returnFinalTarget: true) ?? entry;
                if (!target.Exists)
                {
                    continue;
                }

                if (Backend == PythonBackend.Managed && !IsInside(target.FullName, Root))
                {
                    _problems.Add($"{Subject}: {Path.GetRelativePath(Root, entry.FullName)} is a symbolic link to '{target.FullName}', outside the virtual environment, which the Managed backend does not follow; copy it into the virtual environment instead (cp -r).");
                    continue;
                }
            }

            if (target is DirectoryInfo || (target.Attributes & FileAttributes.Directory) != 0)
            {
                if (IsIdentifier(entry.Name))
                {
                    FindNativeModules(target.FullName, package.Length == 0 ? entry.Name : package + "." + entry.Name, depth + 1);
                }
            }
            else if (ModuleName(entry.Name) is { } module)
            {
                _nativeModules.Add(new NativeModule(package.Length == 0 ? module : package + "." + module, entry.FullName));
            }
        }
    }

    private void CheckRegistrations(IList<string> registered)
    {
        foreach (var group in _nativeModules.Where(m => !IsRegistered(m.Module, registered)).GroupBy(static m => m.TopLevel, StringComparer.Ordinal))
        {
            var first = group.First();
            var more = group.Count() > 1 ? Invariant($" and {group.Count() - 1} more") : string.Empty;
            _problems.Add($"{Subject} contains the native extension '{first.Module}' ({Path.GetRelativePath(Root, first.File)}{more}), which is not registered; add '{group.Key}' to {NativeExtensionsKey} (a native extension runs with full access to the process), or remove it from the virtual environment.");
        }
    }

    private static bool IsInside(string path, string directory) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>An <c>import</c> line of a <c>.pth</c> file.</summary>
    /// <param name="File">The <c>.pth</c> file's host path.</param>
    /// <param name="Line">The line number, from 1.</param>
    /// <param name="Code">The line.</param>
    internal sealed record PthImport(string File, int Line, string Code);

    /// <summary>A native extension module found in the environment.</summary>
    /// <param name="Module">Its dotted module name, e.g. <c>numpy.core._multiarray_umath</c>.</param>
    /// <param name="File">Its host path.</param>
    internal sealed record NativeModule(string Module, string File)
    {
        /// <summary>Gets the top-level package or module name, what a registration names.</summary>
        public string TopLevel => Module.Split('.')[0];
    }
}
