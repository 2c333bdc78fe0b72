using System.Numerics;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests.Conversion;

/// <summary>Python results converted to the .NET type asked for: exact where they fit, an InvalidCastException naming both types where they do not.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class ResultConversionTests(ManagedRuntimeFixture fixture)
{
    public sealed record Order(string Id, decimal Total, IReadOnlyList<string> Tags, DateOnly Placed, Customer Customer);

    public sealed record Customer(string Name, int? Age);

    public sealed class Settings
    {
        public int RetryCount { get; set; }

        public TimeSpan Delay { get; set; }

        public Dictionary<long, string> Names { get; set; } = [];
    }

    /// <summary>Values that fit: (expression, expected as the runtime returns it boxed).</summary>
    public static TheoryData<string, object> Fitting => new()
    {
        { "255", (byte)255 },
        { "-128", (sbyte)-128 },
        { "2**31 - 1", int.MaxValue },
        { "-2**63", long.MinValue },
        { "2**64 - 1", ulong.MaxValue },
        { "2**100", BigInteger.Pow(2, 100) },
        { "3", 3.0 },
        { "0.5", 0.5 },
        { "True", true },
        { "'é'", "é" },
        { "'x'", 'x' },
        { "__import__('decimal').Decimal('12.340')", 12.340m },
        { "7", 7m },
    };

    [Theory]
    [MemberData(nameof(Fitting))]
    public async Task FittingValue_ConvertsExactly(string expression, object expected)
    {
        var actual = await EvaluateAs(expected.GetType(), expression);

        Assert.Equal(expected, actual);
        Assert.IsType(expected.GetType(), actual);
    }

    /// <summary>Values that must not convert: (expression, target type, what the message names).</summary>
    public static TheoryData<string, Type, string> Refused => new()
    {
        { "None", typeof(int), "None" },
        { "None", typeof(DateTime), "None" },
        { "3.7", typeof(int), "float" },
        { "3.0", typeof(long), "float" },
        { "'42'", typeof(int), "str" },
        { "True", typeof(int), "bool" },
        { "1", typeof(bool), "int" },
        { "256", typeof(byte), "byte" },
        { "-1", typeof(uint), "uint" },
        { "2**63", typeof(long), "long" },
        { "2**1024", typeof(double), "double" },
        { "2**53 + 1", typeof(double), "double" },
        { "0.1", typeof(decimal), "float" },
        { "42", typeof(string), "int" },
        { "'ab'", typeof(char), "char" },
        { "[1, 2]", typeof(string), "list" },
        { "__import__('decimal').Decimal('NaN')", typeof(decimal), "NaN" },
        { "__import__('datetime').datetime(2024, 1, 2)", typeof(DateTimeOffset), "naive" },
        { "__import__('datetime').datetime(2024, 1, 2)", typeof(DateOnly), "datetime" },
        { "[1, 2.5]", typeof(List<int>), "List<int>" },
        { "[1, None]", typeof(int[]), "int[]" },
        { "{'a': 1}", typeof(Dictionary<long, int>), "Dictionary<long, int>" },
        { "{1: 'a'}", typeof(Dictionary<string, object>), "Dictionary<string, object>" },
        { "{(1, 2): 'a'}", typeof(Dictionary<string, string>), "tuple" },
        { "{'name': 'x'}", typeof(Customer), "Customer" },
        { "object()", typeof(object), "object" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task UnfittingValue_IsInvalidCast_NamingTheTypes(string expression, Type target, string named)
    {
        var error = await Assert.ThrowsAsync<InvalidCastException>(() => EvaluateAs(target, expression));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task None_ConvertsToNullableAndReferenceTypes()
    {
        Assert.Null(await fixture.Runtime.EvaluateAsync<int?>("None"));
        Assert.Null(await fixture.Runtime.EvaluateAsync<string>("None"));
        Assert.Null(await fixture.Runtime.EvaluateAsync<List<int>>("None"));
        Assert.Equal(5, await fixture.Runtime.EvaluateAsync<int?>("5"));
    }

    [Fact]
    public async Task Collections_BindToTheirTypedForms()
    {
        Assert.Equal([1, 2, 3], await fixture.Runtime.EvaluateAsync<List<int>>("[1, 2, 3]"));
        var doubles = await fixture.Runtime.EvaluateAsync<double[]>("(1.5, 2)");
        Assert.Equal(new[] { 1.5, 2.0 }, doubles!);
        Assert.Equal(["a", "b"], await fixture.Runtime.EvaluateAsync<IReadOnlyList<string>>("['a', 'b']"));
        Assert.Equal(new HashSet<int> { 1, 2 }, await fixture.Runtime.EvaluateAsync<HashSet<int>>("{1, 2, 2}"));
        Assert.Equal(new HashSet<string> { "x" }, await fixture.Runtime.EvaluateAsync<HashSet<string>>("frozenset(['x'])"));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, await fixture.Runtime.EvaluateAsync<Dictionary<string, int>>("{'a': 1}"));
        Assert.Equal(new Dictionary<long, string> { [1] = "one", [-2] = "minus two" }, await fixture.Runtime.EvaluateAsync<Dictionary<long, string>>("{1: 'one', -2: 'minus two'}"));
        Assert.Equal([[1, 2], [3]], await fixture.Runtime.EvaluateAsync<List<List<int>>>("[[1, 2], (3,)]"));
        Assert.Equal([1, 2], await fixture.Runtime.EvaluateAsync<byte[]>("bytearray(b'\\x01\\x02')"));
    }

    [Fact]
    public async Task PlainData_KeepsItsShape_AndIntKeysAreNotTurnedIntoStrings()
    {
        var plain = await fixture.Runtime.EvaluateAsync<object>("{'a': [1, 2.5, 'x', b'y', None, True], 'b': {3: 4}, 'c': {5}}");

        var dictionary = Assert.IsType<Dictionary<string, object?>>(plain);
        Assert.Equal(new List<object?> { 1L, 2.5, "x", "y"u8.ToArray(), null, true }, dictionary["a"]);
        Assert.Equal(new Dictionary<object, object?> { [3L] = 4L }, dictionary["b"]);
        Assert.Equal([5L], Assert.IsType<HashSet<object?>>(dictionary["c"]));
    }

    [Fact]
    public async Task RecordsAndClasses_BindFromDicts_WithSnakeCaseNames()
    {
        var order = await fixture.Runtime.EvaluateAsync<Order>("""
            {'id': 'A-1', 'total': __import__('decimal').Decimal('19.99'), 'tags': ('new', 'paid'),
             'placed': __import__('datetime').date(2024, 2, 29), 'customer': {'name': 'Ada', 'age': None}}
            """);
        var settings = await fixture.Runtime.EvaluateAsync<Settings>("{'retry_count': 3, 'delay': __import__('datetime').timedelta(seconds=90), 'names': {7: 'seven'}}");

        Assert.NotNull(order);
        Assert.Equal(("A-1", 19.99m, new DateOnly(2024, 2, 29), new Customer("Ada", null)), (order.Id, order.Total, order.Placed, order.Customer));
        Assert.Equal(["new", "paid"], order.Tags);
        Assert.NotNull(settings);
        Assert.Equal((3, TimeSpan.FromSeconds(90), "seven"), (settings.RetryCount, settings.Delay, settings.Names[7]));
    }

    [Fact]
    public async Task DatesAndTimes_ConvertWithTheirKindAndOffset()
    {
        await fixture.Runtime.ExecuteAsync("""
            import datetime as _dt
            conversion_naive = _dt.datetime(2024, 3, 1, 12, 30, 15, 123456)
            conversion_aware = _dt.datetime(2024, 3, 1, 12, 30, tzinfo=_dt.timezone(_dt.timedelta(hours=2)))
            """);

        var naive = await fixture.Runtime.EvaluateAsync<DateTime>("conversion_naive");
        var aware = await fixture.Runtime.EvaluateAsync<DateTime>("conversion_aware");
        var offset = await fixture.Runtime.EvaluateAsync<DateTimeOffset>("conversion_aware");
        var inList = await fixture.Runtime.EvaluateAsync<List<DateTime>>("[conversion_naive, conversion_aware]");

        Assert.Equal((new DateTime(2024, 3, 1, 12, 30, 15).AddTicks(1_234_560), DateTimeKind.Unspecified), (naive, naive.Kind));
        Assert.Equal((new DateTime(2024, 3, 1, 10, 30, 0), DateTimeKind.Utc), (aware, aware.Kind));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 30, 0, TimeSpan.FromHours(2)), offset);
        Assert.Equal(TimeSpan.FromHours(2), offset.Offset);
        Assert.Equal([naive, aware], inList!);
        Assert.Equal([DateTimeKind.Unspecified, DateTimeKind.Utc], inList!.Select(d => d.Kind));
        Assert.Equal(new TimeOnly(23, 59, 58), await fixture.Runtime.EvaluateAsync<TimeOnly>("_dt.time(23, 59, 58)"));
        Assert.Equal(TimeSpan.FromDays(-1.5), await fixture.Runtime.EvaluateAsync<TimeSpan>("_dt.timedelta(days=-1.5)"));
        Assert.Equal(Guid.Parse("12345678-1234-5678-1234-567812345678"), await fixture.Runtime.EvaluateAsync<Guid>("__import__('uuid').UUID('12345678123456781234567812345678')"));
    }

    private async Task<object?> EvaluateAs(Type target, string expression)
    {
        var method = typeof(IPythonRuntime).GetMethod(nameof(IPythonRuntime.EvaluateAsync))!.MakeGenericMethod(target);
        var task = (Task)method.Invoke(fixture.Runtime, [expression, CancellationToken.None])!;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }
}
