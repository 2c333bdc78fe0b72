using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PyHosting.TestHost;

/// <summary>Converts between JSON and the plain data that crosses the Python boundary.</summary>
internal static class JsonValues
{
    /// <summary>Converts a runtime result to JSON; bytes become <c>{"bytes":"base64"}</c>, big integers strings.</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        byte[] bytes => new JsonObject { ["bytes"] = Convert.ToBase64String(bytes) },
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        float f => JsonValue.Create((double)f),
        BigInteger big => JsonValue.Create(big.ToString(CultureInfo.InvariantCulture)),
        sbyte or short or int or long or byte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong ul => JsonValue.Create(ul),
        decimal m => JsonValue.Create(m),
        IDictionary dictionary => ToObject(dictionary),
        IEnumerable sequence => new JsonArray([.. sequence.Cast<object?>().Select(ToNode)]),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>Converts a request argument to plain data: integers to <see cref="long"/>, other numbers to <see cref="double"/>.</summary>
    public static object? FromNode(JsonNode? node) => node switch
    {
        null => null,
        JsonArray array => array.Select(FromNode).ToList(),
        JsonObject obj => obj.ToDictionary(static p => p.Key, static p => FromNode(p.Value)),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number => value.GetValue<double>(),
            _ => null,
        },
        _ => throw new ArgumentException($"Unexpected JSON node {node.GetType().Name}.", nameof(node)),
    };

    private static JsonObject ToObject(IDictionary dictionary)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = ToNode(entry.Value);
        }

        return result;
    }
}
