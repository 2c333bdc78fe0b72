namespace PyHosting;

/// <summary>
/// Finds the application's Python runtimes by name: the default runtime of <c>AddPythonRuntime()</c> and the named
/// runtimes of <c>AddPythonRuntime(name)</c>. A named runtime is also the keyed service
/// <c>[FromKeyedServices(name)] IPythonRuntime</c>; this interface serves code that chooses the runtime at run time.
/// </summary>
public interface IPythonRuntimeProvider
{
    /// <summary>Gets the names of the registered runtimes, in registration order; the default runtime's name is the empty string.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Gets the runtime called <paramref name="name"/>.</summary>
    /// <param name="name">The name given to <c>AddPythonRuntime(name)</c>, or the empty string for the default runtime.</param>
    /// <returns>The runtime; calls fail until the host has started it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="KeyNotFoundException">No runtime of that name is registered; the message lists those that are.</exception>
    IPythonRuntime Get(string name);
}
