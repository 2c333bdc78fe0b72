using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Native;

/// <summary>
/// The Native backend: Python calls POSIX directly. Only what would break the .NET host is
/// refused: <c>fork</c> (cloning a multi-threaded .NET process) and <c>preexec_fn</c> (Python
/// code in a forked child of that process).
/// </summary>
internal sealed unsafe class NativeBackend : IPythonBackend
{
    private const string ForkMessage = "fork is not supported in an embedded runtime: it would clone the .NET host process (use subprocess without preexec_fn)";
    private readonly PythonRuntimeOptions _options;
    private readonly Func<OutputSink> _defaultSink;
    private readonly ILogger? _logger;
    private VirtualEnvironment? _virtualEnvironment;

    public NativeBackend(PythonRuntimeOptions options, Func<OutputSink> defaultSink, ILogger? logger = null)
    {
        _options = options;
        _defaultSink = defaultSink;
        _logger = logger;
    }

    public PythonBackend Kind => PythonBackend.Native;

    public void BeforeInitialize(PythonInstallation installation)
    {
        _virtualEnvironment = VirtualEnvironment.Open(_options, _logger);
    }

    public void AfterInitialize(PythonInstallation installation)
    {
        StandardStreams.Install(_defaultSink);
        var shim = EmbeddedPython.Run("pyhosting_native.py");
        var paths = ValueConverter.ToPython(_options.ModulePaths.Select(p => Path.GetFullPath(p)).ToList());
        var result = EmbeddedPython.Call(shim, "install", paths);
        LibPython.Py_DecRef(result);
        LibPython.Py_DecRef(shim);
        _virtualEnvironment?.AddToPath();
        NativeExtensionCheck.Run(_options.NativeExtensions);
        _virtualEnvironment?.RunImports(_logger);
    }

    public void OnStopping()
    {
    }

    public AuditDecision OnAuditEvent(string eventName, nint args) => eventName switch
    {
        "os.fork" or "os.forkpty" => new AuditDecision(LibPython.ExcNotImplementedError, ForkMessage),
        _ => AuditDecision.Allow,
    };
}
