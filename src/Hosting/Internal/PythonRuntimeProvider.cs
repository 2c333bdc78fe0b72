namespace PyHosting.Hosting.Internal;

/// <summary>Finds the registered runtimes by name in the application's services.</summary>
/// <param name="catalog">The registered runtimes.</param>
/// <param name="services">The application's services.</param>
internal sealed class PythonRuntimeProvider(PythonRuntimeCatalog catalog, IServiceProvider services) : IPythonRuntimeProvider
{
    public IReadOnlyList<string> Names { get; } = catalog.Names.ToArray();

    public IPythonRuntime Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!catalog.TryGet(name, out var registrations))
        {
            var known = catalog.Runtimes.Select(static r => r.IsDefaultRuntime ? "the default runtime (\"\")" : $"'{r.Name}'");
            throw new KeyNotFoundException($"No Python runtime named '{name}' is registered; registered: {string.Join(", ", known)}. Register it with services.AddPythonRuntime(\"{name}\") and configure it under {RuntimeNames.SectionPath(name.Length == 0 ? "name" : name)}.");
        }

        return registrations.Resolve<PythonRuntimeHolder>(services);
    }
}
