using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// Binds <see cref="WorkerOptions"/>. The configuration binder cannot bind untyped values, so each
/// job's <c>Args</c> and <c>Variables</c> are read here as the plain data Python accepts: numbers, booleans, strings,
/// lists (children keyed 0, 1, ...) and dictionaries.
/// </summary>
internal static class WorkerConfiguration
{
    public static void Bind(IConfigurationSection section, WorkerOptions options)
    {
        section.Bind(options);
        var jobs = section.GetSection(nameof(WorkerOptions.Jobs)).GetChildren().ToList();
        for (var i = 0; i < jobs.Count && i < options.Jobs.Count; i++)
        {
            var args = jobs[i].GetSection("Args");
            if (args.GetChildren().Any())
            {
                foreach (var argument in ToList(args))
                {
                    options.Jobs[i].Arguments.Add(argument);
                }
            }

            options.Jobs[i].FormulaVariables.Clear();
            foreach (var variable in jobs[i].GetSection("Variables").GetChildren())
            {
                options.Jobs[i].FormulaVariables[variable.Key] = ToPlainData(variable);
            }
        }
    }

    /// <summary>Converts a configuration section to plain data.</summary>
    /// <param name="section">The section.</param>
    /// <returns>A scalar, a list or a dictionary.</returns>
    public static object? ToPlainData(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return ToScalar(section.Value);
        }

        return IsList(children) ? ToList(section) : children.ToDictionary(static c => c.Key, ToPlainData, StringComparer.Ordinal);
    }

    private static List<object?> ToList(IConfigurationSection section) => [.. section.GetChildren().Select(ToPlainData)];

    private static bool IsList(List<IConfigurationSection> children) =>
        children.Select((child, index) => child.Key == index.ToString(CultureInfo.InvariantCulture)).All(static same => same);

    private static object? ToScalar(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : value;
    }
}
