using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Reports what is wrong in the <c>PythonRuntime</c> configuration section itself: values that cannot be
/// converted to their option's type, which binding skipped; keys no option defines, with the nearest valid
/// key; enum values written as numbers; time spans written as a bare number (days, to the binder). It reads
/// the section, as the binding step does, so nothing passes from one step to the other. Runs before
/// <see cref="PythonRuntimeOptionsCustomValidator"/>.
/// </summary>
/// <param name="configuration">The application's configuration; <see langword="null"/> in a bare service collection.</param>
internal sealed class PythonRuntimeConfigurationValidator(IConfiguration? configuration = null) : IValidateOptions<PythonRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, PythonRuntimeOptions options)
    {
        if (name != Options.DefaultName || configuration is null)
        {
            return ValidateOptionsResult.Skip;
        }

        // Binding a scratch instance also surfaces a conversion failure the value checker did not foresee.
        var errors = PythonRuntimeConfigureOptions.Bind(configuration.GetSection(PythonRuntimeOptions.SectionName), new PythonRuntimeOptions());
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
