using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Binds the <c>PythonRuntime</c> section of the application's configuration. Values the binder
/// cannot convert (an unknown enum name, <c>"yes"</c> for a boolean) would make it throw half-way
/// with a message about conversion; they are skipped instead, and <see cref="PythonRuntimeConfigurationValidator"/>,
/// which reads the same section, reports them with the key, the value found and the allowed values.
/// A named runtime's section is <c>PythonRuntime:Runtimes:{name}</c>; the default runtime's is <c>PythonRuntime</c>
/// without its <c>Runtimes</c> key.
/// </summary>
/// <param name="catalog">The registered runtimes; options of a name no runtime has are not bound.</param>
/// <param name="configuration">The application's configuration; <see langword="null"/> in a bare service collection, where only code configures the runtime.</param>
internal sealed class PythonRuntimeConfigureOptions(PythonRuntimeCatalog catalog, IConfiguration? configuration = null) : IConfigureNamedOptions<PythonRuntimeOptions>
{
    public void Configure(PythonRuntimeOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (configuration is null || !catalog.TryGet(name, out var registrations))
        {
            return;
        }

        _ = Bind(configuration.GetSection(registrations.SectionPath), options);
    }

    /// <summary>Binds <paramref name="section"/> to <paramref name="options"/>, skipping values that cannot be converted.</summary>
    /// <param name="section">The <c>PythonRuntime</c> section.</param>
    /// <param name="options">The options to bind to.</param>
    /// <returns>A message for every value that was skipped.</returns>
    internal static IReadOnlyList<string> Bind(IConfigurationSection section, PythonRuntimeOptions options)
    {
        // The default section holds the named runtimes' sections, which are not options of the default runtime.
        if (string.Equals(section.Path, PythonRuntimeOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            section = new FilteredConfigurationSection(section, new HashSet<string>([section.Path + ":" + RuntimeNames.RuntimesKey], StringComparer.OrdinalIgnoreCase));
        }

        var invalid = ConfigurationValueChecker.Check(section, typeof(PythonRuntimeOptions));
        var errors = invalid.Select(static v => v.Message).ToList();
        var hidden = new HashSet<string>(invalid.Select(static v => v.Path), StringComparer.OrdinalIgnoreCase);
        try
        {
            var filtered = new FilteredConfigurationSection(section, hidden);

            // Bound by the configuration binder's source generator (see the project file for what it reports).
            filtered.Bind(options);
            ClearEmptyNullables(filtered, options);
        }
        catch (InvalidOperationException e)
        {
            // A conversion the checker did not foresee: the binder's message names the key.
            errors.Add(e.InnerException is null ? e.Message : $"{e.Message} {e.InnerException.Message}");
        }

        return errors;
    }

    /// <summary>
    /// An empty value of a nullable option means <see langword="null"/> (no timeout, no memory limit), as the reflection-based
    /// binder read it; the source-generated binder leaves the default in place instead.
    /// </summary>
    private static void ClearEmptyNullables(IConfiguration section, object options)
    {
        var properties = OptionsTypes.BindableProperties(options.GetType());
        foreach (var child in section.GetChildren())
        {
            var property = Array.Find(properties, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                continue;
            }

            if (child.Value is { Length: 0 } && Nullable.GetUnderlyingType(property.PropertyType) is not null && property.CanWrite)
            {
                property.SetValue(options, null);
            }
            else if (OptionsTypes.All.Contains(property.PropertyType) && property.GetValue(options) is { } nested)
            {
                ClearEmptyNullables(child, nested);
            }
        }
    }
}
