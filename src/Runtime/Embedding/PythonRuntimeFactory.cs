using Microsoft.Extensions.Logging;
using PyHosting.Internal;
using PyHosting.Internal.Managed;
using PyHosting.Internal.Native;
using PyHosting.Providers;

namespace PyHosting;

/// <summary>
/// Creates the process's Python runtime from validated options and providers, for the host that owns
/// its lifetime (<c>AddPythonRuntime</c>'s hosted service). Applications resolve <see cref="IPythonRuntime"/>
/// from dependency injection instead.
/// </summary>
public static class PythonRuntimeFactory
{
    /// <summary>Creates a runtime; <see cref="IStartablePythonRuntime.Start"/> starts the interpreter.</summary>
    /// <param name="options">Validated options; the runtime keeps them, so they must not change afterwards.</param>
    /// <param name="fileSystem">The Managed backend's file system (ignored by Native).</param>
    /// <param name="processProvider">The Managed backend's process provider (ignored by Native).</param>
    /// <param name="timeProvider">The clock of Python code (Managed) and of execution timeouts.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <param name="observer">Observes every call and refusal for the runtime's whole life; <see langword="null"/> for none.</param>
    /// <returns>The runtime, not started.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="observer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PythonRuntimeOptions.Backend"/> is not a defined value.</exception>
    public static IStartablePythonRuntime Create(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IPythonRuntimeObserver? observer) =>
        CreateRuntime(options, fileSystem, processProvider, timeProvider, loggerFactory, observer);

    /// <summary>Creates an unobserved runtime, typed for the test fixtures and benchmarks that reach its internals.</summary>
    internal static PythonRuntime Create(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory) =>
        CreateRuntime(options, fileSystem, processProvider, timeProvider, loggerFactory, observer: null);

    private static PythonRuntime CreateRuntime(
        PythonRuntimeOptions options,
        IPythonFileSystem fileSystem,
        IPythonProcessProvider processProvider,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IPythonRuntimeObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(processProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        // The backends write Python's output through the runtime's default sink, which exists once the runtime does;
        // they only read it after the interpreter has started.
        PythonRuntime? runtime = null;
        OutputSink DefaultSink() => runtime!.DefaultSink;
        IPythonBackend backend = options.Backend switch
        {
            PythonBackend.Native => new NativeBackend(options, DefaultSink, loggerFactory.CreateLogger("PyHosting.Runtime")),
            PythonBackend.Managed => new ManagedBackend(options, fileSystem, processProvider, timeProvider, loggerFactory, DefaultSink, observer),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
        };
        runtime = new PythonRuntime(options, backend, timeProvider, loggerFactory, observer);
        return runtime;
    }
}
