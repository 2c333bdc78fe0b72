using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Tests;

public sealed class PythonRuntimeConfigurationValidatorTests
{
    [Fact]
    public void Validate_ReadsTheSectionItself_NotTheBoundOptions()
    {
        var validator = new PythonRuntimeConfigurationValidator(DefaultOnly(), Configuration(new() { ["PythonRuntime:Permissions:IO"] = "Everything" }));

        // The options given are valid: the problem is found in the configuration, where it is.
        var result = validator.Validate(Options.DefaultName, new PythonRuntimeOptions());

        Assert.Equal(["PythonRuntime:Permissions:IO 'Everything' is not a valid value; use one of: None, ReadOnly, All."], result.Failures);
    }

    [Fact]
    public void Validate_ValidSection_Succeeds() =>
        Assert.True(new PythonRuntimeConfigurationValidator(DefaultOnly(), Configuration(new() { ["PythonRuntime:Permissions:IO"] = "ReadOnly" }))
            .Validate(Options.DefaultName, new PythonRuntimeOptions()).Succeeded);

    [Fact]
    public void Validate_NoConfiguration_Skips() =>
        Assert.True(new PythonRuntimeConfigurationValidator(DefaultOnly()).Validate(Options.DefaultName, new PythonRuntimeOptions()).Skipped);

    [Fact]
    public void AddPythonRuntime_RegistersBothValidatorsAsTypes_ConfigurationFirst_Once()
    {
        var services = new ServiceCollection();
        services.AddPythonRuntime();
        services.AddPythonRuntime();

        Assert.Equal(
            [typeof(PythonRuntimeConfigurationValidator), typeof(PythonRuntimeOptionsCustomValidator)],
            services.Where(static d => d.ServiceType == typeof(IValidateOptions<PythonRuntimeOptions>)).Select(static d => d.ImplementationType));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static PythonRuntimeCatalog DefaultOnly()
    {
        var catalog = new PythonRuntimeCatalog();
        catalog.Add(new PythonRuntimeRegistrations());
        return catalog;
    }
}
