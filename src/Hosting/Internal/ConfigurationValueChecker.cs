using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PyHosting.Hosting.Internal;

/// <summary>A configuration value that cannot be converted to its property's type.</summary>
/// <param name="Path">The full configuration key.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record InvalidConfigurationValue(string Path, string Message);

/// <summary>
/// Walks a configuration section alongside the options type and converts every scalar value the
/// way the configuration binder does, to find the values that would make binding throw. It also finds
/// what the binder would take silently but wrongly: keys no option defines (a typo is otherwise ignored),
/// enum values given as numbers, and time spans given as a bare number (which the binder reads as days).
/// </summary>
internal static class ConfigurationValueChecker
{
    public static IReadOnlyList<InvalidConfigurationValue> Check(IConfiguration section, Type type)
    {
        var errors = new List<InvalidConfigurationValue>();
        CheckObject(section, type, errors);
        return errors;
    }

    private static void CheckObject(IConfiguration section, Type type, List<InvalidConfigurationValue> errors)
    {
        var properties = OptionsTypes.BindableProperties(type);
        foreach (var child in section.GetChildren())
        {
            var property = Array.Find(properties, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                CheckValue(child, property.PropertyType, errors);
            }
            else
            {
                errors.Add(new InvalidConfigurationValue(child.Path, UnknownKey(child, properties)));
            }
        }
    }

    private static string UnknownKey(IConfigurationSection key, PropertyInfo[] properties)
    {
        var names = properties.Select(static p => p.Name).ToList();
        var parent = key.Path[..^(key.Key.Length + 1)];
        if (string.Equals(parent, PythonRuntimeOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            names.Add(RuntimeNames.RuntimesKey); // the named runtimes' sections sit beside the default runtime's options
        }

        var nearest = names.Select(name => (Name: name, Distance: EditDistance(key.Key, name))).MinBy(static c => c.Distance);
        return nearest.Name is not null && nearest.Distance <= Math.Max(2, key.Key.Length / 3)
            ? $"{key.Path} is not a known key; did you mean {nearest.Name} ({parent}:{nearest.Name})?"
            : $"{key.Path} is not a known key; the keys of {parent} are {string.Join(", ", names)}.";
    }

    /// <summary>The number of single-character insertions, deletions and substitutions (ignoring case) that turn one key into the other.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<InvalidConfigurationValue> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var target = underlying ?? type;
        if (IsScalar(target))
        {
            // A nullable property accepts an empty value (null); the binder converts everything else.
            if (section.Value is not { } value || (underlying is not null && value.Length == 0))
            {
                return;
            }

            if (!TryConvert(value, target))
            {
                errors.Add(new InvalidConfigurationValue(section.Path, $"{section.Path} '{value}' is not a valid value; {Expected(target)}."));
            }
            else if (target.IsEnum && IsWholeNumber(value))
            {
                // The binder maps a number to whatever member has that value: the configuration must say which it means.
                errors.Add(new InvalidConfigurationValue(section.Path, $"{section.Path} '{value}' is a number; write the name instead, one of: {string.Join(", ", Enum.GetNames(target))}."));
            }
            else if (target == typeof(TimeSpan) && IsWholeNumber(value))
            {
                var seconds = Math.Min(Math.Abs(long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture)), 86_400);
                errors.Add(new InvalidConfigurationValue(section.Path, string.Create(CultureInfo.InvariantCulture, $"{section.Path} '{value}' is a bare number, which reads as {value.Trim()} days; write a time span, such as {TimeSpan.FromSeconds(seconds):c} for {seconds} seconds, or 00:00:00 for no limit.")));
            }

            return;
        }

        if (OptionsTypes.DictionaryValueType(target) is { } valueType)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, valueType, errors);
            }
        }
        else if (OptionsTypes.ElementType(target) is { } elementType)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, elementType, errors);
            }
        }
        else if (target.IsClass)
        {
            CheckObject(section, target, errors);
        }
    }

    private static bool IsWholeNumber(string value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    /// <summary>Converts <paramref name="value"/> as the configuration binder's source generator does (invariant culture).</summary>
    private static bool TryConvert(string value, Type type)
    {
        const NumberStyles Integer = NumberStyles.Integer;
        const NumberStyles Float = NumberStyles.Float | NumberStyles.AllowThousands;
        var c = CultureInfo.InvariantCulture;
        return type.IsEnum ? Enum.TryParse(type, value, ignoreCase: true, out _)
            : type == typeof(string) ? true
            : type == typeof(bool) ? bool.TryParse(value, out _)
            : type == typeof(int) ? int.TryParse(value, Integer, c, out _)
            : type == typeof(long) ? long.TryParse(value, Integer, c, out _)
            : type == typeof(short) ? short.TryParse(value, Integer, c, out _)
            : type == typeof(byte) ? byte.TryParse(value, Integer, c, out _)
            : type == typeof(sbyte) ? sbyte.TryParse(value, Integer, c, out _)
            : type == typeof(uint) ? uint.TryParse(value, Integer, c, out _)
            : type == typeof(ulong) ? ulong.TryParse(value, Integer, c, out _)
            : type == typeof(ushort) ? ushort.TryParse(value, Integer, c, out _)
            : type == typeof(double) ? double.TryParse(value, Float, c, out _)
            : type == typeof(float) ? float.TryParse(value, Float, c, out _)
            : type == typeof(decimal) ? decimal.TryParse(value, Float, c, out _)
            : type == typeof(char) ? value.Length == 1
            : type == typeof(TimeSpan) ? TimeSpan.TryParse(value, c, out _)
            : type == typeof(DateTime) ? DateTime.TryParse(value, c, DateTimeStyles.None, out _)
            : type == typeof(DateTimeOffset) ? DateTimeOffset.TryParse(value, c, DateTimeStyles.None, out _)
            : type == typeof(Guid) ? Guid.TryParse(value, out _)
            : type == typeof(Uri) ? Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _)
            : throw new UnreachableException($"No options property is of type {type.Name}.");
    }

    private static string Expected(Type type)
    {
        if (type.IsEnum)
        {
            return "use one of: " + string.Join(", ", Enum.GetNames(type));
        }

        if (type == typeof(bool))
        {
            return "use true or false";
        }

        if (type == typeof(TimeSpan))
        {
            return "use a time span such as 00:00:30";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
            || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte))
        {
            var range = type == typeof(int) ? FormattableString.Invariant($"{int.MinValue} and {int.MaxValue}")
                : type == typeof(long) ? FormattableString.Invariant($"{long.MinValue} and {long.MaxValue}")
                : type == typeof(short) ? FormattableString.Invariant($"{short.MinValue} and {short.MaxValue}")
                : type == typeof(byte) ? FormattableString.Invariant($"{byte.MinValue} and {byte.MaxValue}")
                : type == typeof(uint) ? FormattableString.Invariant($"{uint.MinValue} and {uint.MaxValue}")
                : type == typeof(ulong) ? FormattableString.Invariant($"{ulong.MinValue} and {ulong.MaxValue}")
                : type == typeof(ushort) ? FormattableString.Invariant($"{ushort.MinValue} and {ushort.MaxValue}")
                : FormattableString.Invariant($"{sbyte.MinValue} and {sbyte.MaxValue}");
            return "use a whole number between " + range;
        }

        return $"use a value of type {type.Name}";
    }
}
