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

    /// <summary>
    /// Reads the virtual environment of <see cref="PythonRuntimeOptions.VirtualEnvironment"/> as the runtime will when it
    /// starts, and lists what is wrong with it: a directory that is missing or is not a CPython 3.11 virtual environment,
    /// <c>.pth</c> lines and links the Managed backend does not follow, and each native extension inside that is not
    /// registered in <see cref="PythonRuntimeOptions.NativeExtensions"/>. For a host's start-up validation.
    /// </summary>
    /// <param name="options">The options; nothing is read when no virtual environment is configured.</param>
    /// <param name="baseDirectory">The directory a relative path is relative to (the host's content root).</param>
    /// <returns>One message per problem, naming the key, the value and the fix; empty when there is none.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="IOException">The environment cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The host may not read the environment.</exception>
    public static IReadOnlyList<string> CheckVirtualEnvironment(PythonRuntimeOptions options, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        return VirtualEnvironment.Read(options, baseDirectory)?.Problems ?? [];
    }

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
