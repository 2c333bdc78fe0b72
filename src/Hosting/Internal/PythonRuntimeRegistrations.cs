using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// What <c>AddPythonRuntime</c> and the runtime builder's verbs were asked to register, recorded as the
/// calls are made: the providers the application chose in code (which the Native backend cannot honour),
/// and the default providers' registrations and instances. One instance per service collection; it also
/// marks a collection in which <c>AddPythonRuntime</c> ran.
/// </summary>
internal sealed class PythonRuntimeRegistrations
{
    private readonly List<Func<IServiceProvider, IPythonFileSystem, IPythonFileSystem>> _fileSystemDecorators = [];
    private object? _defaultFileSystem;
    private object? _defaultProcessProvider;

    public PythonRuntimeRegistrations()
    {
        DefaultFileSystem = ServiceDescriptor.Singleton<IPythonFileSystem>(sp => Remember(ref _defaultFileSystem, DefaultPythonProviders.CreateFileSystem(
            sp.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value,
            ContentRoot.Get(sp),
            sp.GetRequiredService<PythonClock>().TimeProvider)));
        DefaultProcessProvider = ServiceDescriptor.Singleton<IPythonProcessProvider>(sp => Remember(ref _defaultProcessProvider, DefaultPythonProviders.CreateProcessProvider(
            sp.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value)));
    }

    /// <summary>Gets the registration of the default file system (the mount table from configuration), added unless the application registered one first.</summary>
    public ServiceDescriptor DefaultFileSystem { get; }

    /// <summary>Gets the registration of the default process provider (from <c>PythonRuntime:Processes</c>), added unless the application registered one first.</summary>
    public ServiceDescriptor DefaultProcessProvider { get; }

    /// <summary>Gets the file system chosen with <c>WithFileSystem</c> (its type name), or <see langword="null"/>.</summary>
    public string? CodeFileSystem { get; private set; }

    /// <summary>Gets the process provider chosen with <c>WithProcessProvider</c> (its type name), or <see langword="null"/>.</summary>
    public string? CodeProcessProvider { get; private set; }

    /// <summary>Records a <c>WithFileSystem</c> call; the last one wins, as its registration does.</summary>
    /// <param name="implementation">The file system's type.</param>
    public void RecordFileSystem(Type implementation) => CodeFileSystem = implementation.FullName ?? implementation.Name;

    /// <summary>Records a <c>WithProcessProvider</c> call; the last one wins, as its registration does.</summary>
    /// <param name="implementation">The process provider's type.</param>
    public void RecordProcessProvider(Type implementation) => CodeProcessProvider = implementation.FullName ?? implementation.Name;

    /// <summary>Gets the number of file-system decorators added with <c>DecorateFileSystem</c>.</summary>
    public int FileSystemDecoratorCount => _fileSystemDecorators.Count;

    /// <summary>Records a <c>DecorateFileSystem</c> call; decorators apply in call order, each around the one before.</summary>
    /// <param name="decorator">Creates the decorator around the file system it is given.</param>
    public void AddFileSystemDecorator(Func<IServiceProvider, IPythonFileSystem, IPythonFileSystem> decorator) => _fileSystemDecorators.Add(decorator);

    /// <summary>Wraps <paramref name="fileSystem"/> in every decorator, in the order they were added (the last is outermost).</summary>
    /// <param name="services">The application's services, for the decorators.</param>
    /// <param name="fileSystem">The file system the runtime would use: the default mount table or the one chosen in code.</param>
    /// <returns>The decorated file system.</returns>
    /// <exception cref="InvalidOperationException">A decorator returned <see langword="null"/>.</exception>
    public IPythonFileSystem DecorateFileSystem(IServiceProvider services, IPythonFileSystem fileSystem)
    {
        foreach (var decorate in _fileSystemDecorators)
        {
            fileSystem = decorate(services, fileSystem)
                ?? throw new InvalidOperationException("A DecorateFileSystem delegate returned null; return the file system it was given, or one that wraps it.");
        }

        return fileSystem;
    }

    /// <summary>Gets a value indicating whether <paramref name="provider"/> is a default provider this registration created.</summary>
    /// <param name="provider">A resolved file system or process provider.</param>
    /// <returns><see langword="true"/> for a default; <see langword="false"/> for one the application registered.</returns>
    public bool IsDefault(object provider) =>
        ReferenceEquals(provider, Volatile.Read(ref _defaultFileSystem)) || ReferenceEquals(provider, Volatile.Read(ref _defaultProcessProvider));

    private static T Remember<T>(ref object? slot, T provider)
        where T : class
    {
        Volatile.Write(ref slot, provider);
        return provider;
    }
}
