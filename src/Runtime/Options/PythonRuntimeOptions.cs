using System.Text.Json.Serialization.Metadata;

namespace PyHosting;

/// <summary>
/// Configuration of the embedded Python runtime, bound from the <c>PythonRuntime</c> section.
/// Every default is the safest value.
/// </summary>
public sealed class PythonRuntimeOptions
{
    /// <summary>The configuration section bound by <c>AddPythonRuntime</c>.</summary>
    public const string SectionName = "PythonRuntime";

    /// <summary>The default of <see cref="MemoryLimit"/>: 1 GiB.</summary>
    public const long DefaultMemoryLimit = 1L << 30;

    /// <summary>The smallest positive <see cref="MemoryLimit"/>: 32 MiB, room for the interpreter to start and import the standard library's common modules.</summary>
    public const long MinimumMemoryLimit = 32L << 20;

    /// <summary>Gets or sets the backend serving Python's OS interface.</summary>
    /// <value>Defaults to <see cref="PythonBackend.Managed"/>.</value>
    public PythonBackend Backend { get; set; } = PythonBackend.Managed;

    /// <summary>Gets or sets the path of the CPython 3.11 shared library; <see langword="null"/> to detect it.</summary>
    /// <value>Defaults to <see langword="null"/>: <c>PYTHONNET_PYDLL</c>, then the well-known library paths (<c>/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0</c> and the like), then the system's Python asked for its library.</value>
    public string? PythonLibrary { get; set; }

    /// <summary>Gets or sets the time limit of one call; <see langword="null"/> or zero for none.</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan? ExecutionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the most bytes Python's heap may hold; <see langword="null"/> or zero for no limit.
    /// An allocation that would pass it fails with Python's <c>MemoryError</c> inside the call, and the host goes on.
    /// </summary>
    /// <value>Defaults to <see cref="DefaultMemoryLimit"/> (1 GiB). A positive value must be at least <see cref="MinimumMemoryLimit"/>.</value>
    /// <remarks>
    /// Counted: what CPython allocates through its own allocators (objects, and buffers such as those of
    /// <c>bytes</c>, <c>bytearray</c>, lists and dictionaries). Not counted: memory that native code
    /// allocates with the C library directly, such as numpy's array data, and the .NET side of the host.
    /// Counting wraps CPython's allocators, which is done only when a limit is set: with <see langword="null"/> or
    /// zero, nothing is counted and the <c>pyhosting.memory.usage</c> gauge reports no measurement.
    /// </remarks>
    public long? MemoryLimit { get; set; } = DefaultMemoryLimit;

    /// <summary>Gets the permissions of Python code.</summary>
    public PythonPermissions Permissions { get; } = new();

    /// <summary>Gets the registered native extensions: top-level module or package names, e.g. <c>numpy</c>.</summary>
    public IList<string> NativeExtensions { get; } = [];

    /// <summary>Gets the module search paths added to <c>sys.path</c> (paths in the runtime's file system for the Managed backend).</summary>
    public IList<string> ModulePaths { get; } = [];

    /// <summary>
    /// Gets or sets the host path of a virtual environment made with <c>python3.11 -m venv</c>, whose
    /// <c>lib/python3.11/site-packages</c> is added to the module path, read-only, in both backends; <see langword="null"/> for none.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>. A relative path is relative to the host's content root (under <c>AddPythonRuntime</c>) or to the current directory.</value>
    /// <remarks>
    /// The path lines of its <c>.pth</c> files are honoured (in the Managed backend only directories inside the environment),
    /// and their <c>import</c> lines run as ordinary Python code when the runtime starts (in the Managed backend, inside the
    /// sandbox). Every native extension inside must be registered in <see cref="NativeExtensions"/>, or the start fails.
    /// <c>include-system-site-packages</c> of <c>pyvenv.cfg</c> is not followed.
    /// </remarks>
    public string? VirtualEnvironment { get; set; }

    /// <summary>Gets the process options.</summary>
    public PythonProcessOptions Processes { get; } = new();

    /// <summary>Gets the file-system options.</summary>
    public PythonFileSystemOptions FileSystem { get; } = new();

    /// <summary>
    /// Gets or sets the System.Text.Json contracts of the records, classes and collections that results are converted to
    /// and arguments are read from, asked before the runtime's own; typically a source-generated
    /// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> of the application. Set in code only.
    /// </summary>
    /// <value>
    /// Defaults to <see langword="null"/>: the types are read by reflection where the application allows reflection-based
    /// serialisation (<see cref="System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault"/>). A trimmed or NativeAOT
    /// application does not: there a record or class (and a collection other than the common ones of strings, integers, floats
    /// and booleans) crosses only with a contract from this resolver, and otherwise fails with an
    /// <see cref="InvalidCastException"/> (result) or <see cref="ArgumentException"/> (argument) that says so.
    /// </value>
    /// <remarks>
    /// The runtime's naming and number settings apply to these contracts as to reflected ones (snake_case member names,
    /// matched without regard to case; no numbers read from strings), whatever the context's own options say.
    /// </remarks>
    public IJsonTypeInfoResolver? TypeInfoResolver { get; set; }

    /// <summary>Gets the process-isolation options: in the host process (the default) or in worker processes.</summary>
    public PythonIsolationOptions Isolation { get; } = new();

    /// <summary>
    /// Gets or sets the configuration section these options were bound from: <c>PythonRuntime</c> for the default runtime,
    /// <c>PythonRuntime:Runtimes:{name}</c> for a named one. Refusals and startup errors name keys under it.
    /// </summary>
    internal string ConfigurationSection { get; set; } = SectionName;

    /// <summary>Spells one of <see cref="PythonRuntimeConfigurationKeys"/> under this runtime's own section.</summary>
    /// <param name="key">A key of the default section (<c>PythonRuntime:…</c>).</param>
    /// <returns>The same key under <see cref="ConfigurationSection"/>.</returns>
    internal string Key(string key) => QualifyKey(ConfigurationSection, key);

    /// <summary>Spells a key of the default section under another runtime's section.</summary>
    /// <param name="section">The runtime's section.</param>
    /// <param name="key">A key of the default section (<c>PythonRuntime:…</c>).</param>
    /// <returns>The key under <paramref name="section"/>.</returns>
    internal static string QualifyKey(string section, string key) =>
        string.Equals(section, SectionName, StringComparison.Ordinal) || !key.StartsWith(SectionName + ":", StringComparison.Ordinal)
            ? key
            : string.Concat(section, key.AsSpan(SectionName.Length));
}
