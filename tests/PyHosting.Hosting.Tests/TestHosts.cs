using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Tests;

/// <summary>Builds in-process hosts and service providers for tests that never start Python.</summary>
internal static class TestHosts
{
    /// <summary>A host builder with in-memory configuration.</summary>
    public static HostApplicationBuilder Builder(IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Configuration.AddInMemoryCollection(configuration ?? []);
        return builder;
    }

    /// <summary>A service collection with in-memory configuration registered as <see cref="IConfiguration"/>.</summary>
    public static ServiceCollection Services(IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        return services;
    }

    /// <summary>Resolves the options and returns the validation failures (empty when valid).</summary>
    public static IReadOnlyList<string> Failures(IServiceProvider provider)
    {
        try
        {
            _ = provider.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
    }

    /// <summary>Resolves the options, which must be valid.</summary>
    public static PythonRuntimeOptions Options(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value;
}
