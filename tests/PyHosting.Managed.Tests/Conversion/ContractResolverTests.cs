using System.Text;
using System.Text.Json.Serialization;
using PyHosting.Internal;
using PyHosting.Internal.Conversion;

namespace PyHosting.Managed.Tests.Conversion;

/// <summary>
/// Where the contracts of typed results and record arguments come from: the application's resolver
/// (<see cref="PythonRuntimeOptions.TypeInfoResolver"/>) first, the runtime's own collections, and reflection only where the
/// application allows it (here simulated off, as in a trimmed or NativeAOT application).
/// </summary>
public sealed partial class ContractResolverTests
{
    public sealed record Reading(string SensorName, double Value, int? Retries);

    [JsonSerializable(typeof(Reading))]
    internal sealed partial class ReadingJson : JsonSerializerContext;

    [Fact]
    public void ApplicationResolver_WithoutReflection_BindsWithTheRuntimesNamingRules()
    {
        var options = ConversionJson.Create(ReadingJson.Default, reflection: false);

        // snake_case, matched without regard to case: the runtime's rules, not the context's defaults.
        var reading = ConversionJson.Deserialize<Reading>(Encoding.UTF8.GetBytes("""{"sensor_name":"t1","VALUE":2.5,"Retries":null}"""), options);

        Assert.Equal(new Reading("t1", 2.5, null), reading);
        Assert.Equal(["sensor_name", "value", "retries"], ValueConverter.ObjectContract(typeof(Reading), options).Properties.Select(static p => p.Name));
    }

    [Fact]
    public void NoContract_WithoutReflection_NamesTheTypeAndTheSetting()
    {
        var options = ConversionJson.Create(resolver: null, reflection: false);

        var result = Assert.Throws<NotSupportedException>(() => ConversionJson.Deserialize<Reading>("{}"u8, options));
        var argument = Assert.Throws<ArgumentException>(() => ValueConverter.ObjectContract(typeof(Reading), options));

        Assert.Contains("Reading has no System.Text.Json contract", result.Message, StringComparison.Ordinal);
        Assert.Contains("PythonRuntimeOptions.TypeInfoResolver", result.Message, StringComparison.Ordinal);
        Assert.Contains("PythonRuntimeOptions.TypeInfoResolver", argument.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommonCollections_WithoutReflection_HaveTheRuntimesOwnContracts()
    {
        var options = ConversionJson.Create(resolver: null, reflection: false);

        Assert.Equal([1, 2], ConversionJson.Deserialize<List<int>>("[1,2]"u8, options));
        Assert.Equal(new Dictionary<string, double> { ["a"] = 0.5 }, ConversionJson.Deserialize<Dictionary<string, double>>("""{"a":0.5}"""u8, options));
        Assert.Equal(["x"], ConversionJson.Deserialize<HashSet<string>>("""["x"]"""u8, options)!);
    }

    [Fact]
    public void For_SameResolver_ReusesItsSettings() =>
        Assert.Same(ConversionJson.For(ReadingJson.Default), ConversionJson.For(ReadingJson.Default));

    [Fact]
    public void IsSet_FrameworkSetsBySpelling_ListsNot()
    {
        Assert.True(ValueConverter.IsSet(typeof(HashSet<int>)));
        Assert.True(ValueConverter.IsSet(typeof(SortedSet<string>)));
        Assert.True(ValueConverter.IsSet(typeof(System.Collections.Immutable.ImmutableHashSet<int>)));
        Assert.False(ValueConverter.IsSet(typeof(List<int>)));
    }
}
