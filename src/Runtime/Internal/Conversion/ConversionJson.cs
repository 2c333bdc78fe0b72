using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// The System.Text.Json settings that bind Python values to typed results and read typed arguments: snake_case
/// member names (Python's convention) matched without regard to case, required constructor parameters and
/// nullable annotations respected, no duplicate keys, no numbers read from strings.
/// </summary>
internal static class ConversionJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static T? Deserialize<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            AllowDuplicateProperties = false,
            MaxDepth = 72,
        };
        options.Converters.Add(new DateTimeConverter());
        options.Converters.Add(new PlainObjectConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Reads the date-times <see cref="PythonJsonWriter"/> writes: an aware value (with an offset) as UTC
    /// (<see cref="DateTimeKind.Utc"/>), a naive one as <see cref="DateTimeKind.Unspecified"/> — never converted to
    /// the host's local time zone.
    /// </summary>
    private sealed class DateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException("expected a date-time string");
            var hasOffset = text.Length > 19 && (text[^1] is 'Z' || text[^6] is '+' or '-');
            return hasOffset
                ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).UtcDateTime
                : DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), DateTimeKind.Unspecified);
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>Reads <see cref="object"/> members as plain data (long or BigInteger, double, string, bool, lists and string-keyed dictionaries), not as JsonElement.</summary>
    private sealed class PlainObjectConverter : JsonConverter<object>
    {
        public override bool HandleNull => true;

        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return null;
                case JsonTokenType.True or JsonTokenType.False:
                    return reader.GetBoolean();
                case JsonTokenType.String:
                    return reader.GetString();
                case JsonTokenType.Number:
                    {
                        var raw = reader.ValueSpan;
                        if (raw.IndexOfAny("."u8) >= 0 || raw.IndexOfAny("eE"u8) >= 0)
                        {
                            return reader.GetDouble();
                        }

                        return reader.TryGetInt64(out var n) ? n : BigInteger.Parse(System.Text.Encoding.ASCII.GetString(raw), CultureInfo.InvariantCulture);
                    }

                case JsonTokenType.StartArray:
                    {
                        var list = new List<object?>();
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            list.Add(Read(ref reader, typeof(object), options));
                        }

                        return list;
                    }

                case JsonTokenType.StartObject:
                    {
                        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                        {
                            var key = reader.GetString()!;
                            reader.Read();
                            dictionary[key] = Read(ref reader, typeof(object), options);
                        }

                        return dictionary;
                    }

                default:
                    throw new JsonException($"unexpected {reader.TokenType}");
            }
        }

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
            => JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}
