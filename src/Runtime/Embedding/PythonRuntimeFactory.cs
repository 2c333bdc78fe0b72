using Microsoft.Extensions.Logging;
using PyHosting.Internal;
using PyHosting.Internal.Native;
using PyHosting.Providers;

namespace PyHosting;

/// <summary>
/// Creates the process's Python runtime from validated options and providers. Hosting code
/// (<c>AddPythonRuntime</c>) calls this; applications normally resolve <see cref="IPythonRuntime"/> from DI instead.
/// </summary>
internal static class PythonRuntimeFactory
{
    /// <summary>Creates a runtime; <see cref="PythonRuntime.Start"/> starts the interpreter.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="fileSystem">The Managed backend's file system (ignored by Native).</param>
    /// <param name="processProvider">The Managed backend's process provider (ignored by Native).</param>
    /// <param name="timeProvider">The clock of Python code (Managed) and of execution timeouts.</param>
    /// <param name="loggerFactory">Loggers.</param>
    public static PythonRuntime Create(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(processProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        PythonRuntime? runtime = null;
        OutputSink DefaultSink() => runtime!.DefaultSink;
        IPythonBackend backend = options.Backend switch
        {
            PythonBackend.Native => new NativeBackend(options, DefaultSink),
            PythonBackend.Managed => new Internal.Managed.ManagedBackend(options, fileSystem, processProvider, timeProvider, loggerFactory, DefaultSink) { PermissionDenied = key => runtime?.Observer?.OnPermissionDenied(key) },
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
        };
        runtime = new PythonRuntime(options, backend, timeProvider, loggerFactory);
        return runtime;
    }
}
