using System.Diagnostics.CodeAnalysis;
using PyHosting;
using PyHosting.Hosting.Internal;
using PyHosting.Providers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers providers, the clock and native extensions of the Python runtime.</summary>
public static class PythonRuntimeBuilderExtensions
{
    /// <summary>
    /// Serves the Managed backend's file system with <typeparamref name="T"/>, created by the
    /// service provider, instead of the mount table built from <c>PythonRuntime:FileSystem:Mounts</c>.
    /// </summary>
    /// <typeparam name="T">The file system.</typeparam>
    /// <param name="builder">The runtime builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The Native backend cannot honour a file system: combining the two fails validation at host start. With
    /// <c>Isolation:Mode=Process</c> the file system stays in the host and serves the worker processes over their channel.
    /// </remarks>
    public static IPythonRuntimeBuilder WithFileSystem<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IPythonRuntimeBuilder builder)
        where T : class, IPythonFileSystem
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registrations = Registrations(builder);
        registrations.RecordFileSystem(typeof(T));
        registrations.RemoveAll<IPythonFileSystem>(builder.Services);
        builder.Services.Add(registrations.DescribeType<IPythonFileSystem, T>());
        return builder;
    }

    /// <summary>
    /// Serves the Managed backend's file system with <paramref name="fileSystem"/> instead of the
    /// mount table built from <c>PythonRuntime:FileSystem:Mounts</c>.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="fileSystem">The file system; the application owns (and disposes) it.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="fileSystem"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The Native backend cannot honour a file system: combining the two fails validation at host start. With
    /// <c>Isolation:Mode=Process</c> the file system stays in the host and serves the worker processes over their channel.
    /// </remarks>
    public static IPythonRuntimeBuilder WithFileSystem(this IPythonRuntimeBuilder builder, IPythonFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(fileSystem);
        var registrations = Registrations(builder);
        registrations.RecordFileSystem(fileSystem.GetType());
        registrations.RemoveAll<IPythonFileSystem>(builder.Services);
        builder.Services.Add(registrations.DescribeInstance(fileSystem));
        return builder;
    }

    /// <summary>
    /// Wraps the Managed backend's file system in a decorator, as <c>AddHttpMessageHandler</c> wraps an
    /// <c>HttpClient</c>'s primary handler: <paramref name="decorate"/> receives the file system the runtime would use
    /// (the mount table built from <c>PythonRuntime:FileSystem:Mounts</c>, or the one chosen with <c>WithFileSystem</c>)
    /// and returns the file system Python code is served by, typically one that passes each call on to it.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="decorate">
    /// Called once, when the host starts and after the options have been validated, with the application's services and the
    /// file system to wrap; returns the decorator. What it returns is the application's to dispose.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="decorate"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Several decorators apply in call order, each around the one before: the last one added is outermost and sees each
    /// operation first. Permissions are checked before the file system is called, so a refused operation reaches no decorator.
    /// The Native backend uses no file system provider: with <c>PythonRuntime:Backend=Native</c> decorators are not applied,
    /// the host starts, and an Information message (event <c>FileSystemDecoratorsNotApplied</c>, 304) says so. Unlike
    /// <c>WithFileSystem</c>, a decorator therefore never prevents an application from switching backends.
    /// With <c>Isolation:Mode=Process</c> the decorated file system stays in the host and serves the worker processes over
    /// their channel.
    /// </remarks>
    public static IPythonRuntimeBuilder DecorateFileSystem(this IPythonRuntimeBuilder builder, Func<IServiceProvider, IPythonFileSystem, IPythonFileSystem> decorate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(decorate);
        Registrations(builder).AddFileSystemDecorator(decorate);
        return builder;
    }

    /// <summary>
    /// Starts the Managed backend's child processes with <typeparamref name="T"/>, created by the
    /// service provider, instead of the provider built from <c>PythonRuntime:Processes</c>.
    /// </summary>
    /// <typeparam name="T">The process provider.</typeparam>
    /// <param name="builder">The runtime builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <c>PythonRuntime:Permissions:CreateProcess</c> is still checked before the provider is called.
    /// The Native backend cannot honour a process provider: combining the two fails validation at host start. With
    /// <c>Isolation:Mode=Process</c> the provider stays in the host: the workers' subprocesses are started by it, their pipes
    /// streamed over the channel.
    /// </remarks>
    public static IPythonRuntimeBuilder WithProcessProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IPythonRuntimeBuilder builder)
        where T : class, IPythonProcessProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registrations = Registrations(builder);
        registrations.RecordProcessProvider(typeof(T));
        registrations.RemoveAll<IPythonProcessProvider>(builder.Services);
        builder.Services.Add(registrations.DescribeType<IPythonProcessProvider, T>());
        return builder;
    }

    /// <summary>
    /// Starts the Managed backend's child processes with <paramref name="processProvider"/> instead
    /// of the provider built from <c>PythonRuntime:Processes</c>.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="processProvider">The process provider; the application owns (and disposes) it.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="processProvider"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <c>PythonRuntime:Permissions:CreateProcess</c> is still checked before the provider is called.
    /// The Native backend cannot honour a process provider: combining the two fails validation at host start. With
    /// <c>Isolation:Mode=Process</c> the provider stays in the host: the workers' subprocesses are started by it, their pipes
    /// streamed over the channel.
    /// </remarks>
    public static IPythonRuntimeBuilder WithProcessProvider(this IPythonRuntimeBuilder builder, IPythonProcessProvider processProvider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(processProvider);
        var registrations = Registrations(builder);
        registrations.RecordProcessProvider(processProvider.GetType());
        registrations.RemoveAll<IPythonProcessProvider>(builder.Services);
        builder.Services.Add(registrations.DescribeInstance(processProvider));
        return builder;
    }

    /// <summary>
    /// Sets the clock of Python code (<c>time.time</c>, <c>time.monotonic</c>, <c>time.sleep</c>,
    /// <c>datetime.now</c> in the Managed backend) and of <c>PythonRuntime:ExecutionTimeout</c>.
    /// Without it the runtime uses the <see cref="TimeProvider"/> registered in DI (<see cref="TimeProvider.System"/> when there
    /// is none); with it, this clock is the runtime's alone and the application's registration is left as it is. Advancing a
    /// fake clock past <c>PythonRuntime:ExecutionTimeout</c> times the running call out. With <c>Isolation:Mode=Process</c>
    /// a clock other than <see cref="TimeProvider.System"/> serves the worker processes over their channel, timers included.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="timeProvider">The clock, for example a <c>FakeTimeProvider</c> in tests.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    public static IPythonRuntimeBuilder WithTimeProvider(this IPythonRuntimeBuilder builder, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var registrations = Registrations(builder);
        registrations.RemoveAll<PythonClock>(builder.Services);
        builder.Services.Add(registrations.DescribeInstance(new PythonClock(timeProvider)));
        return builder;
    }

    /// <summary>
    /// Registers a native extension (a top-level module or package name such as <c>numpy</c>), in
    /// addition to those listed in <c>PythonRuntime:NativeExtensions</c>; duplicates are ignored.
    /// </summary>
    /// <param name="builder">The runtime builder.</param>
    /// <param name="name">The module or package name, a dotted Python identifier.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// A native extension runs as native code with full access to the system. Host start fails
    /// unless <c>PythonRuntime:Permissions:IO</c> is <c>All</c> and <c>CreateThread</c> and
    /// <c>NativeAccess</c> are <see langword="true"/>; an invalid name also fails validation there.
    /// </remarks>
    public static IPythonRuntimeBuilder AddNativeExtension(this IPythonRuntimeBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        builder.Services.Configure<PythonRuntimeOptions>(Registrations(builder).Name, options =>
        {
            if (!options.NativeExtensions.Contains(name, StringComparer.Ordinal))
            {
                options.NativeExtensions.Add(name);
            }
        });
        return builder;
    }

    // A builder from AddPythonRuntime carries its collection's registrations; any other builder gets them from AddPythonRuntime.
    private static PythonRuntimeRegistrations Registrations(IPythonRuntimeBuilder builder) =>
        (builder as PythonRuntimeBuilder
            ?? (PythonRuntimeBuilder)(builder.Name.Length == 0 ? builder.Services.AddPythonRuntime() : builder.Services.AddPythonRuntime(builder.Name))).Registrations;
}
