using System.Numerics;

namespace PyHosting.Hosting.Isolation.Protocol;

/// <summary>
/// The result types a worker converts to itself, with its own runtime's strict conversion, so that values and
/// errors are exactly those of a runtime in the host: plain data and scalars. Any other type crosses as the JSON
/// image the runtime binds typed results from, and the host binds it with the same settings.
/// </summary>
internal static class TransferTypes
{
    /// <summary>The index that asks for the JSON image of the result.</summary>
    public const int Json = -1;

    /// <summary>The index for calls without a result.</summary>
    public const int None = -2;

    private static readonly Type[] Scalars =
    [
        typeof(string), typeof(bool), typeof(int), typeof(long), typeof(short), typeof(sbyte), typeof(byte), typeof(ushort),
        typeof(uint), typeof(ulong), typeof(nint), typeof(nuint), typeof(Int128), typeof(UInt128), typeof(BigInteger),
        typeof(double), typeof(float), typeof(Half), typeof(decimal), typeof(char), typeof(byte[]), typeof(DateTime),
        typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan), typeof(Guid),
    ];

    // The value types of Scalars, in the same order, as nullable types (spelt out: no type is made at run time).
    private static readonly Type[] NullableScalars =
    [
        typeof(bool?), typeof(int?), typeof(long?), typeof(short?), typeof(sbyte?), typeof(byte?), typeof(ushort?),
        typeof(uint?), typeof(ulong?), typeof(nint?), typeof(nuint?), typeof(Int128?), typeof(UInt128?), typeof(BigInteger?),
        typeof(double?), typeof(float?), typeof(Half?), typeof(decimal?), typeof(char?), typeof(DateTime?),
        typeof(DateTimeOffset?), typeof(DateOnly?), typeof(TimeOnly?), typeof(TimeSpan?), typeof(Guid?),
    ];

    private static readonly Type[] Plain =
    [
        typeof(object), typeof(object[]), typeof(List<object?>), typeof(IList<object?>), typeof(IReadOnlyList<object?>),
        typeof(ICollection<object?>), typeof(IReadOnlyCollection<object?>), typeof(IEnumerable<object?>),
        typeof(Dictionary<string, object?>), typeof(IDictionary<string, object?>), typeof(IReadOnlyDictionary<string, object?>),
    ];

    /// <summary>Gets the types, by index.</summary>
    public static IReadOnlyList<Type> All { get; } = [.. Plain, .. Scalars, .. NullableScalars];

    /// <summary>Gets the index of <paramref name="type"/>, or <see cref="Json"/>.</summary>
    /// <param name="type">The result type a caller asked for.</param>
    /// <returns>The index.</returns>
    public static int IndexOf(Type type)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == type)
            {
                return i;
            }
        }

        return Json;
    }
}
