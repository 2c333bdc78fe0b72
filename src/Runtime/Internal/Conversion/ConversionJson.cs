using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// The System.Text.Json settings that bind Python values to typed results and read typed arguments: snake_case
/// member names (Python's convention) matched without regard to case, required constructor parameters and
/// nullable annotations respected, no duplicate keys, no numbers read from strings.
/// </summary>
/// <remarks>
/// The contracts of the types come, in this order, from the application's resolver
/// (<see cref="PythonRuntimeOptions.TypeInfoResolver"/>, e.g. a <see cref="JsonSerializerContext"/>), from the
/// runtime's own source-generated contracts for common collections (<see cref="BuiltInContracts"/>), and, only where the
/// application allows reflection-based serialisation (<see cref="JsonSerializer.IsReflectionEnabledByDefault"/>, which
/// trimmed and NativeAOT applications turn off), from reflection over any other type.
/// </remarks>
internal static class ConversionJson
{
    private static readonly ConditionalWeakTable<IJsonTypeInfoResolver, JsonSerializerOptions> ByResolver = new();

    /// <summary>Gets the settings without an application resolver.</summary>
    public static JsonSerializerOptions Options { get; } = Create(null, JsonSerializer.IsReflectionEnabledByDefault);

    /// <summary>Gets the settings with <paramref name="resolver"/> first (one instance per resolver).</summary>
    /// <param name="resolver">The application's resolver; <see langword="null"/> for none.</param>
    /// <returns>Read-only settings.</returns>
    public static JsonSerializerOptions For(IJsonTypeInfoResolver? resolver)
        => resolver is null ? Options : ByResolver.GetValue(resolver, static r => Create(r, JsonSerializer.IsReflectionEnabledByDefault));

    /// <summary>Binds <paramref name="json"/> to <typeparamref name="T"/>.</summary>
    /// <exception cref="JsonException">The JSON does not fit the type.</exception>
    /// <exception cref="NotSupportedException">The type has no contract (see <see cref="MissingContract"/>).</exception>
    public static T? Deserialize<T>(ReadOnlySpan<byte> json, JsonSerializerOptions options)
        => JsonSerializer.Deserialize(json, (JsonTypeInfo<T>)Contract(typeof(T), options));

    /// <summary>The contract of <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">The type has no contract (see <see cref="MissingContract"/>).</exception>
    public static JsonTypeInfo Contract(Type type, JsonSerializerOptions options)
        => options.TryGetTypeInfo(type, out var info) ? info : throw new NotSupportedException(MissingContract(type));

    /// <summary>Why a type has no contract, and how to give it one.</summary>
    public static string MissingContract(Type type)
        => $"{TypeNames.Readable(type)} has no System.Text.Json contract: this application does not allow reflection-based " +
           $"serialisation (trimmed or NativeAOT), so list the type in a JsonSerializerContext ([JsonSerializable(typeof({TypeNames.Readable(type)}))]) " +
           "and set PythonRuntimeOptions.TypeInfoResolver to it.";

    /// <summary>Creates the settings.</summary>
    /// <param name="resolver">The application's resolver, asked first; <see langword="null"/> for none.</param>
    /// <param name="reflection">Whether types no resolver knows are read by reflection.</param>
    /// <returns>Read-only settings.</returns>
    internal static JsonSerializerOptions Create(IJsonTypeInfoResolver? resolver, bool reflection)
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
        if (resolver is not null)
        {
            options.TypeInfoResolverChain.Add(resolver);
        }

        options.TypeInfoResolverChain.Add(BuiltInContracts.Default);
        if (reflection && JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.TypeInfoResolverChain.Add(ReflectionResolver());
        }

        options.MakeReadOnly();
        return options;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached when JsonSerializer.IsReflectionEnabledByDefault is true: a feature switch that trimmed and NativeAOT applications set to false, which removes this call.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above: never reached in a NativeAOT application, where the feature switch is false.")]
    private static DefaultJsonTypeInfoResolver ReflectionResolver() => new();

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
            => JsonSerializer.Serialize(writer, value, Contract(value.GetType(), options));
    }
}
