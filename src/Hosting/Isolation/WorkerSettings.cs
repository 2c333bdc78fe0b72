using System.Collections;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// Writes validated <see cref="PythonRuntimeOptions"/> as the configuration keys and values they were bound from,
/// for a worker to bind and validate again with the same code as the host: every public property, present and
/// future, so an option added later reaches the worker without a change here. Relative host paths are made
/// absolute (the worker has another working directory), and the worker always runs its runtime in process.
/// </summary>
internal static class WorkerSettings
{
    /// <summary>
    /// The setting that carries the runtime's configuration section to the worker, outside the <c>PythonRuntime</c>
    /// section: the worker binds its options from <c>PythonRuntime</c>, and its refusals name the host's keys.
    /// </summary>
    public const string ConfigurationSectionKey = "PyHostingWorker:ConfigurationSection";

    private static readonly PythonRuntimeOptions Defaults = new();

    /// <summary>Flattens <paramref name="options"/> into configuration keys under <c>PythonRuntime</c>.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="contentRoot">The directory relative mount host paths are relative to.</param>
    /// <returns>The settings.</returns>
    public static Dictionary<string, string?> From(PythonRuntimeOptions options, string contentRoot)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(PythonRuntimeOptions.SectionName, options, Defaults, settings);

        for (var i = 0; i < options.FileSystem.Mounts.Count; i++)
        {
            if (options.FileSystem.Mounts[i].HostPath is { Length: > 0 } hostPath)
            {
                settings[FormattableString.Invariant($"{PythonRuntimeConfigurationKeys.Mounts}:{i}:HostPath")] = Path.GetFullPath(hostPath, contentRoot);
            }
        }

        if (options.PythonLibrary is { Length: > 0 } library)
        {
            settings[PythonRuntimeConfigurationKeys.PythonLibrary] = Path.GetFullPath(library);
        }

        if (options.Backend == PythonBackend.Native)
        {
            for (var i = 0; i < options.ModulePaths.Count; i++)
            {
                settings[FormattableString.Invariant($"{PythonRuntimeConfigurationKeys.ModulePaths}:{i}")] = Path.GetFullPath(options.ModulePaths[i]);
            }
        }

        // The worker runs in process, and the host owns the timeout: it interrupts a call through the channel and
        // kills the worker when the call does not stop.
        settings[PythonRuntimeConfigurationKeys.IsolationMode] = nameof(PythonIsolationMode.InProcess);
        settings[ConfigurationSectionKey] = options.ConfigurationSection;
        settings[PythonRuntimeConfigurationKeys.ExecutionTimeout] = TimeSpan.Zero.ToString("c", CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>Makes the worker's runtime name the keys of the host's section that <see cref="From"/> passed on.</summary>
    /// <param name="services">The worker's services, after <c>AddPythonRuntime()</c>.</param>
    /// <param name="settings">The settings the host sent.</param>
    public static void UseHostConfigurationSection(IServiceCollection services, IReadOnlyDictionary<string, string?> settings)
    {
        if (settings.TryGetValue(ConfigurationSectionKey, out var section) && !string.IsNullOrEmpty(section))
        {
            services.PostConfigure<PythonRuntimeOptions>(options => options.ConfigurationSection = section);
        }
    }

    private static void Flatten(string prefix, object value, object? defaults, Dictionary<string, string?> settings)
    {
        foreach (var property in OptionsTypes.BindableProperties(value.GetType()))
        {
            var key = prefix + ":" + property.Name;
            var item = property.GetValue(value);
            var itemDefault = defaults is null ? null : property.GetValue(defaults);
            WriteValue(key, property.PropertyType, item, itemDefault, settings);
        }
    }

    private static void WriteValue(string key, Type type, object? value, object? defaultValue, Dictionary<string, string?> settings)
    {
        if (value is null)
        {
            if (defaultValue is not null)
            {
                // A null that replaces a non-null default: "none" is written as zero for the options that document it.
                settings[key] = Nullable.GetUnderlyingType(type) == typeof(TimeSpan) ? TimeSpan.Zero.ToString("c", CultureInfo.InvariantCulture)
                    : Nullable.GetUnderlyingType(type) is { } underlying && underlying.IsPrimitive ? "0"
                    : throw new NotSupportedException($"{key} cannot be passed to a worker as null.");
            }

            return;
        }

        switch (value)
        {
            case string s:
                settings[key] = s;
                break;
            case bool b:
                settings[key] = b ? "true" : "false";
                break;
            case Enum e:
                settings[key] = e.ToString();
                break;
            case TimeSpan span:
                settings[key] = span.ToString("c", CultureInfo.InvariantCulture);
                break;
            case IFormattable formattable when value.GetType().IsPrimitive || value is decimal:
                settings[key] = formattable.ToString(null, CultureInfo.InvariantCulture);
                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    settings[key + ":" + Convert.ToString(entry.Key, CultureInfo.InvariantCulture)] = Convert.ToString(entry.Value, CultureInfo.InvariantCulture);
                }

                break;
            case IEnumerable sequence:
                {
                    var i = 0;
                    foreach (var item in sequence)
                    {
                        var itemKey = key + ":" + i.ToString(CultureInfo.InvariantCulture);
                        if (item is null || item is string || item.GetType().IsValueType)
                        {
                            WriteValue(itemKey, item?.GetType() ?? typeof(string), item, null, settings);
                        }
                        else
                        {
                            Flatten(itemKey, item, OptionsTypes.CreateDefault(item.GetType()), settings);
                        }

                        i++;
                    }

                    break;
                }

            default:
                Flatten(key, value, defaultValue, settings);
                break;
        }
    }
}
