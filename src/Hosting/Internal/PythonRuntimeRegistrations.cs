using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// One runtime's registrations, recorded as <c>AddPythonRuntime</c> and the runtime builder's verbs are called:
/// its name and configuration section, the providers the application chose in code (which the Native backend
/// cannot honour), and the default providers' registrations and instances. The default runtime's services are
/// registered without a key, as a single-runtime application expects; a named runtime's services are keyed
/// services whose key is its name.
/// </summary>
internal sealed class PythonRuntimeRegistrations
{
    private readonly List<Func<IServiceProvider, IPythonFileSystem, IPythonFileSystem>> _fileSystemDecorators = [];
    private object? _defaultFileSystem;
    private object? _defaultProcessProvider;

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeRegistrations"/> class for the default runtime.</summary>
    public PythonRuntimeRegistrations()
        : this(Options.DefaultName)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeRegistrations"/> class.</summary>
    /// <param name="name">The runtime's name; <see cref="Options.DefaultName"/> for the default runtime.</param>
    public PythonRuntimeRegistrations(string name)
    {
        Name = name;
        SectionPath = RuntimeNames.SectionPath(name);
        DefaultFileSystem = Describe<IPythonFileSystem>(sp => Remember(ref _defaultFileSystem, DefaultPythonProviders.CreateFileSystem(
            GetOptions(sp),
            ContentRoot.Get(sp),
            Resolve<PythonClock>(sp).TimeProvider)));
        DefaultProcessProvider = Describe<IPythonProcessProvider>(sp => Remember(ref _defaultProcessProvider, DefaultPythonProviders.CreateProcessProvider(GetOptions(sp))));
    }

    /// <summary>Gets the runtime's name; <see cref="Options.DefaultName"/> (empty) for the default runtime.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether this is the default runtime, whose services have no key.</summary>
    public bool IsDefaultRuntime => Name.Length == 0;

    /// <summary>Gets the runtime's configuration section: <c>PythonRuntime</c>, or <c>PythonRuntime:Runtimes:{name}</c>.</summary>
    public string SectionPath { get; }

    /// <summary>Gets the name the runtime is shown by in logs, metrics and traces.</summary>
    public string DisplayName => RuntimeNames.Display(Name);

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

    /// <summary>Gets the runtime's options (named options for a named runtime), validated on first use.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The options.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public PythonRuntimeOptions GetOptions(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<PythonRuntimeOptions>>().Get(Name);

    /// <summary>Resolves one of this runtime's services: the unkeyed one for the default runtime, the one keyed by the name otherwise.</summary>
    /// <typeparam name="T">The service.</typeparam>
    /// <param name="services">The application's services.</param>
    /// <returns>The service.</returns>
    public T Resolve<T>(IServiceProvider services)
        where T : notnull =>
        IsDefaultRuntime ? services.GetRequiredService<T>() : services.GetRequiredKeyedService<T>(Name);

    /// <summary>Describes a singleton of this runtime: unkeyed for the default runtime, keyed by the name otherwise.</summary>
    /// <typeparam name="T">The service.</typeparam>
    /// <param name="factory">Creates it.</param>
    /// <returns>The descriptor.</returns>
    public ServiceDescriptor Describe<T>(Func<IServiceProvider, T> factory)
        where T : class =>
        IsDefaultRuntime
            ? ServiceDescriptor.Singleton(factory)
            : ServiceDescriptor.KeyedSingleton<T>(Name, (sp, _) => factory(sp));

    /// <summary>Describes an existing instance as a singleton of this runtime.</summary>
    /// <typeparam name="T">The service.</typeparam>
    /// <param name="instance">The instance.</param>
    /// <returns>The descriptor.</returns>
    public ServiceDescriptor DescribeInstance<T>(T instance)
        where T : class =>
        IsDefaultRuntime ? ServiceDescriptor.Singleton(instance) : ServiceDescriptor.KeyedSingleton(Name, instance);

    /// <summary>Describes a singleton of this runtime implemented by <typeparamref name="TImplementation"/>.</summary>
    /// <typeparam name="TService">The service.</typeparam>
    /// <typeparam name="TImplementation">The implementation, created by the service provider.</typeparam>
    /// <returns>The descriptor.</returns>
    public ServiceDescriptor DescribeType<TService, [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>()
        where TService : class
        where TImplementation : class, TService =>
        IsDefaultRuntime
            ? ServiceDescriptor.Singleton<TService, TImplementation>()
            : ServiceDescriptor.KeyedSingleton<TService, TImplementation>(Name);

    /// <summary>Removes this runtime's registrations of <typeparamref name="T"/> from <paramref name="services"/>.</summary>
    /// <typeparam name="T">The service.</typeparam>
    /// <param name="services">The service collection.</param>
    public void RemoveAll<T>(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var d = services[i];
            var mine = IsDefaultRuntime ? !d.IsKeyedService : d.IsKeyedService && Equals(d.ServiceKey, Name);
            if (d.ServiceType == typeof(T) && mine)
            {
                services.RemoveAt(i);
            }
        }
    }

    private static T Remember<T>(ref object? slot, T provider)
        where T : class
    {
        Volatile.Write(ref slot, provider);
        return provider;
    }
}
