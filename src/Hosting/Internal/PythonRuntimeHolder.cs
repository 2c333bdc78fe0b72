using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The <see cref="IPythonRuntime"/> resolved from DI. The runtime itself is created and started
/// with the host, after options validation; until then every call fails with a message that says so.
/// </summary>
/// <param name="options">The options, for <see cref="Backend"/> before the start.</param>
internal sealed class PythonRuntimeHolder(IOptions<PythonRuntimeOptions> options) : IPythonRuntime
{
    internal const string NotStartedMessage =
        "The Python runtime has not been started: it starts with the host. Call IPythonRuntime after IHost.StartAsync " +
        "(for example from a BackgroundService's ExecuteAsync), not while the host is being built.";

    private IStartablePythonRuntime? _runtime;

    /// <summary>Gets the runtime once the host has created it.</summary>
    public IStartablePythonRuntime? Runtime => Volatile.Read(ref _runtime);

    public PythonBackend Backend => Runtime?.Backend ?? options.Value.Backend;

    private IStartablePythonRuntime Current => Runtime ?? throw new InvalidOperationException(NotStartedMessage);

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
