using Microsoft.Extensions.Logging;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>The Managed backend: Python's OS interface served by the providers, under the permissions.</summary>
internal sealed partial class ManagedBackend : IPythonBackendImplementation
{
    private readonly PythonRuntimeOptions _options;
    private readonly Func<OutputSink> _defaultSink;

    public ManagedBackend(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        Func<OutputSink> defaultSink)
    {
        _options = options;
        _defaultSink = defaultSink;
        FileSystem = fileSystem;
        Processes = processProvider;
        Clock = timeProvider;
        Logger = loggerFactory.CreateLogger("PyHosting.Runtime");
        Compatibility = loggerFactory.CreateLogger("PyHosting.Compatibility");
    }

    public PythonBackend Kind => PythonBackend.Managed;

    public IPythonFileSystem FileSystem { get; }

    public IPythonProcessProvider Processes { get; }

    public TimeProvider Clock { get; }

    public ILogger Logger { get; }

    public ILogger Compatibility { get; }

    public void BeforeInitialize(PythonInstallation installation) => throw new NotSupportedException("The Managed backend is not available yet.");

    public void AfterInitialize(PythonInstallation installation)
    {
    }

    public AuditDecision OnAuditEvent(string eventName, nint args) => AuditDecision.Allow;
}
