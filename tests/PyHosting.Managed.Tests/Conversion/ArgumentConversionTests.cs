using System.Numerics;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests.Conversion;

/// <summary>.NET arguments as Python receives them: each type becomes its Python counterpart and converts back unchanged.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class ArgumentConversionTests(ManagedRuntimeFixture fixture)
{
    private const string Module = "conversion_probe";

    public sealed record Point(int X, int Y, string? Label);

    /// <summary>(value, the Python type name it must arrive as).</summary>
    public static TheoryData<object?, string> Arguments => new()
    {
        { null, "NoneType" },
        { true, "bool" },
        { 42, "int" },
        { ulong.MaxValue, "int" },
        { BigInteger.Pow(10, 40), "int" },
        { 1.25, "float" },
        { 12.5m, "Decimal" },
        { "text", "str" },
        { new byte[] { 1, 2 }, "bytes" },
        { new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Unspecified), "datetime" },
        { new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), "datetime" },
        { new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(-5)), "datetime" },
        { new DateOnly(2024, 5, 6), "date" },
        { new TimeOnly(7, 8, 9), "time" },
        { TimeSpan.FromMinutes(-90), "timedelta" },
        { Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "UUID" },
        { new List<int> { 1, 2 }, "list" },
        { new HashSet<string> { "a" }, "set" },
        { new Dictionary<long, string> { [1] = "one" }, "dict" },
        { new Point(1, 2, null), "dict" },
    };

    [Theory]
    [MemberData(nameof(Arguments))]
    public async Task Argument_ArrivesAsItsPythonType_AndRoundTrips(object? value, string pythonType)
    {
        await DefineProbeAsync();

        var typeName = await fixture.Runtime.InvokeAsync<string>(Module, "type_name", [value]);
        Assert.Equal(pythonType, typeName);

        if (value is not null)
        {
            var method = typeof(IPythonRuntime).GetMethod(nameof(IPythonRuntime.InvokeAsync), [typeof(string), typeof(string), typeof(object[]), typeof(CancellationToken)])!
                .MakeGenericMethod(value.GetType());
            var task = (Task)method.Invoke(fixture.Runtime, [Module, "identity", new[] { value }, CancellationToken.None])!;
            await task;
            var back = task.GetType().GetProperty("Result")!.GetValue(task);
            Assert.Equivalent(value, back, strict: true);
        }
    }

    [Fact]
    public async Task AwareDateTime_KeepsItsInstant_InPython()
    {
        await DefineProbeAsync();

        var utc = await fixture.Runtime.InvokeAsync<string>(Module, "iso_utc", [new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(-5))]);

        Assert.Equal("2024-05-06T12:08:09+00:00", utc);
    }

    [Fact]
    public async Task Record_ArrivesAsADictOfSnakeCaseMembers()
    {
        await DefineProbeAsync();

        var keys = await fixture.Runtime.InvokeAsync<string>(Module, "sorted_items", [new Point(1, 2, "p")]);

        Assert.Equal("label=p,x=1,y=2", keys);
    }

    [Fact]
    public async Task KeywordArguments_ReachTheirParameters()
    {
        await DefineProbeAsync();

        var result = await fixture.Runtime.InvokeAsync<string>(Module, "greet", ["Ada"], new Dictionary<string, object?> { ["punctuation"] = "!", ["times"] = 2 });
        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.InvokeAsync<string>(Module, "greet", ["Ada"], new Dictionary<string, object?> { ["colour"] = "red" }));
        var notIdentifier = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Runtime.InvokeAsync<string>(Module, "greet", ["Ada"], new Dictionary<string, object?> { ["not valid"] = 1 }));

        Assert.Equal("Hello, Ada! Hello, Ada!", result);
        Assert.Equal("TypeError", error.PythonType);
        Assert.Contains("colour", error.PythonMessage, StringComparison.Ordinal);
        Assert.Contains("not valid", notIdentifier.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObjectWithoutData_IsRefused()
    {
        await DefineProbeAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Runtime.InvokeAsync<string>(Module, "type_name", [new Action(() => { })]));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Runtime.InvokeAsync<string>(Module, "type_name", [new MemoryStream()]));
    }

    private Task DefineProbeAsync() => fixture.Runtime.ExecuteAsync($$"""
        import sys, types
        if '{{Module}}' not in sys.modules:
            _probe = types.ModuleType('{{Module}}')
            exec('''
        def type_name(value):
            return type(value).__name__
        def identity(value):
            return value
        def iso_utc(value):
            import datetime
            return value.astimezone(datetime.timezone.utc).isoformat()
        def sorted_items(value):
            return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
        def greet(name, punctuation=".", times=1):
            return " ".join([f"Hello, {name}{punctuation}"] * times)
        ''', _probe.__dict__)
            sys.modules['{{Module}}'] = _probe
        """);
}
