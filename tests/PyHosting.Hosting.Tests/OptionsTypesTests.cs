using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Tests;

public sealed class OptionsTypesTests
{
    [Fact]
    public void All_ListsEveryOptionsClassReachableFromPythonRuntimeOptions()
    {
        // What the trimmer must keep for the value checker and a worker's settings: every class an options property holds,
        // directly or as the element of a list or dictionary.
        var reachable = new HashSet<Type>();
        var pending = new Queue<Type>([typeof(PythonRuntimeOptions)]);
        while (pending.TryDequeue(out var type))
        {
            if (!reachable.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var held = property.PropertyType;
                held = OptionsTypes.DictionaryValueType(held) ?? OptionsTypes.ElementType(held) ?? Nullable.GetUnderlyingType(held) ?? held;
                if (held.IsClass && held != typeof(string) && held.Assembly == typeof(PythonRuntimeOptions).Assembly)
                {
                    pending.Enqueue(held);
                }
            }
        }

        Assert.Equal(reachable.OrderBy(static t => t.Name), OptionsTypes.All.OrderBy(static t => t.Name));
    }

    [Fact]
    public void BindableProperties_LeavesOutTheCodeOnlyResolver()
    {
        var names = OptionsTypes.BindableProperties(typeof(PythonRuntimeOptions)).Select(static p => p.Name).ToList();

        Assert.Contains(nameof(PythonRuntimeOptions.Permissions), names);
        Assert.Contains(nameof(PythonRuntimeOptions.ExecutionTimeout), names);
        Assert.DoesNotContain(nameof(PythonRuntimeOptions.TypeInfoResolver), names);
    }

    [Fact]
    public void Validate_TypeInfoResolverInConfiguration_IsRefusedAsUnknownKey()
    {
        var catalog = new PythonRuntimeCatalog();
        catalog.Add(new PythonRuntimeRegistrations());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PythonRuntime:TypeInfoResolver"] = "MyContext" }).Build();

        var result = new PythonRuntimeConfigurationValidator(catalog, configuration).Validate(Options.DefaultName, new PythonRuntimeOptions());

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("PythonRuntime:TypeInfoResolver is not a known key", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PythonRuntime:Isolation:MaxWorkers", "99999999999", "PythonRuntime:Isolation:MaxWorkers '99999999999' is not a valid value; use a whole number between -2147483648 and 2147483647.")]
    [InlineData("PythonRuntime:FileSystem:Mounts:0:MaxBytes", "lots", "PythonRuntime:FileSystem:Mounts:0:MaxBytes 'lots' is not a valid value; use a whole number between -9223372036854775808 and 9223372036854775807.")]
    [InlineData("PythonRuntime:Permissions:CreateThread", "yes", "PythonRuntime:Permissions:CreateThread 'yes' is not a valid value; use true or false.")]
    [InlineData("PythonRuntime:ExecutionTimeout", "soon", "PythonRuntime:ExecutionTimeout 'soon' is not a valid value; use a time span such as 00:00:30.")]
    public void Validate_UnconvertibleValue_NamesKeyValueAndRange(string key, string value, string expected)
    {
        var catalog = new PythonRuntimeCatalog();
        catalog.Add(new PythonRuntimeRegistrations());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var result = new PythonRuntimeConfigurationValidator(catalog, configuration).Validate(Options.DefaultName, new PythonRuntimeOptions());

        Assert.Contains(expected, result.Failures!);
    }
}
