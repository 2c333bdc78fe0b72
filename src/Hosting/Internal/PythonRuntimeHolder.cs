using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The <see cref="IPythonRuntime"/> resolved from DI. The runtime itself is created and started
/// with the host, after options validation; until then every call fails with a message that says so.
/// </summary>
internal sealed class PythonRuntimeHolder : IPythonRuntime
{
    internal const string NotStartedMessage =
        "The Python runtime has not been started: it starts with the host. Call IPythonRuntime after IHost.StartAsync " +
        "(for example from a BackgroundService's ExecuteAsync), not while the host is being built.";

    private readonly Func<PythonBackend> _configuredBackend;
    private IStartablePythonRuntime? _runtime;

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeHolder"/> class for a runtime of the application's services.</summary>
    /// <param name="registrations">The runtime's registrations.</param>
    /// <param name="services">The application's services, for the configured backend before the start.</param>
    public PythonRuntimeHolder(PythonRuntimeRegistrations registrations, IServiceProvider services)
    {
        Name = registrations.Name;
        _configuredBackend = () => registrations.GetOptions(services).Backend;
    }

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeHolder"/> class for the default runtime.</summary>
    /// <param name="options">The options, for <see cref="Backend"/> before the start.</param>
    public PythonRuntimeHolder(IOptions<PythonRuntimeOptions> options)
    {
        Name = Options.DefaultName;
        _configuredBackend = () => options.Value.Backend;
    }

    /// <summary>Gets the runtime's name; empty for the default runtime.</summary>
    public string Name { get; }

    /// <summary>Gets the runtime once the host has created it.</summary>
    public IStartablePythonRuntime? Runtime => Volatile.Read(ref _runtime);

    public PythonBackend Backend => Runtime?.Backend ?? _configuredBackend();

    private IStartablePythonRuntime Current => Runtime ?? throw new InvalidOperationException(Name.Length == 0 ? NotStartedMessage : $"The Python runtime '{Name}': {NotStartedMessage}");

    public Task ExecuteAsync(string code, CancellationToken cancellationToken = default) => Current.ExecuteAsync(code, cancellationToken);

    public Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default) => Current.EvaluateAsync<T>(expression, cancellationToken);

    public T? Evaluate<T>(string expression, CancellationToken cancellationToken = default) => Current.Evaluate<T>(expression, cancellationToken);

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default) => Current.InvokeAsync<T>(module, function, args, cancellationToken);

    public T? Invoke<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default) => Current.Invoke<T>(module, function, args, cancellationToken);

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default) => Current.InvokeAsync<T>(module, function, args, kwargs, cancellationToken);

    public Task RunFileAsync(string path, CancellationToken cancellationToken = default) => Current.RunFileAsync(path, cancellationToken);

    public IDisposable RedirectOutput(TextWriter standardOutput, TextWriter? standardError = null) => Current.RedirectOutput(standardOutput, standardError);

    /// <summary>Publishes the started runtime.</summary>
    /// <param name="runtime">The runtime.</param>
    internal void Attach(IStartablePythonRuntime runtime) => Volatile.Write(ref _runtime, runtime);
}
