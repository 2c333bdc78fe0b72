using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The runtimes registered in one service collection, in registration order: the default runtime of
/// <c>AddPythonRuntime()</c> and the named runtimes of <c>AddPythonRuntime(name)</c>. One instance per service
/// collection; it also marks a collection in which <c>AddPythonRuntime</c> ran.
/// </summary>
internal sealed class PythonRuntimeCatalog
{
    private readonly List<PythonRuntimeRegistrations> _runtimes = [];

    /// <summary>Gets the registered runtimes, in registration order.</summary>
    public IReadOnlyList<PythonRuntimeRegistrations> Runtimes => _runtimes;

    /// <summary>Gets the names of the registered runtimes, the default runtime's being <see cref="Options.DefaultName"/>.</summary>
    public IEnumerable<string> Names => _runtimes.Select(static r => r.Name);

    /// <summary>Finds a runtime's registrations by name (ordinal; the default runtime's name is <see cref="Options.DefaultName"/>).</summary>
    /// <param name="name">The runtime's name.</param>
    /// <param name="registrations">The registrations, when found.</param>
    /// <returns><see langword="true"/> when a runtime of that name is registered.</returns>
    public bool TryGet(string? name, [NotNullWhen(true)] out PythonRuntimeRegistrations? registrations)
    {
        registrations = _runtimes.Find(r => string.Equals(r.Name, name ?? Options.DefaultName, StringComparison.Ordinal));
        return registrations is not null;
    }

    /// <summary>Adds a runtime.</summary>
    /// <param name="registrations">Its registrations.</param>
    public void Add(PythonRuntimeRegistrations registrations) => _runtimes.Add(registrations);
}
