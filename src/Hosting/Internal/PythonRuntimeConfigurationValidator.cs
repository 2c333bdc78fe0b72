using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Reports what is wrong in the <c>PythonRuntime</c> configuration section itself: values that cannot be
/// converted to their option's type, which binding skipped; keys no option defines, with the nearest valid
/// key; enum values written as numbers; time spans written as a bare number (days, to the binder). It reads
/// the section, as the binding step does, so nothing passes from one step to the other. Runs before
/// <see cref="PythonRuntimeOptionsCustomValidator"/>.
/// The first registered runtime also reports sections under <c>PythonRuntime:Runtimes</c> that no <c>AddPythonRuntime(name)</c>
/// call registered: their settings would otherwise be ignored.
/// </summary>
/// <param name="catalog">The registered runtimes.</param>
/// <param name="configuration">The application's configuration; <see langword="null"/> in a bare service collection.</param>
internal sealed class PythonRuntimeConfigurationValidator(PythonRuntimeCatalog catalog, IConfiguration? configuration = null) : IValidateOptions<PythonRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, PythonRuntimeOptions options)
    {
        if (configuration is null || !catalog.TryGet(name, out var registrations))
        {
            return ValidateOptionsResult.Skip;
        }

        // Binding a scratch instance also surfaces a conversion failure the value checker did not foresee.
        var errors = PythonRuntimeConfigureOptions.Bind(configuration.GetSection(registrations.SectionPath), new PythonRuntimeOptions()).ToList();
        if (ReferenceEquals(catalog.Runtimes[0], registrations))
        {
            errors.AddRange(UnregisteredRuntimeSections());
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private IEnumerable<string> UnregisteredRuntimeSections()
    {
        var section = configuration!.GetSection(PythonRuntimeOptions.SectionName + ":" + RuntimeNames.RuntimesKey);
        foreach (var child in section.GetChildren())
        {
            if (!catalog.TryGet(child.Key, out _))
            {
                var registered = catalog.Runtimes.Where(static r => !r.IsDefaultRuntime).Select(static r => r.Name).ToList();
                yield return $"{child.Path} configures a runtime named '{child.Key}', but no runtime of that name is registered" +
                    (registered.Count == 0 ? "" : $" (registered: {string.Join(", ", registered)})") +
                    $"; call services.AddPythonRuntime(\"{child.Key}\"), or remove the section.";
            }
        }
    }
}
