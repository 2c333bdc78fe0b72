using System.Globalization;
using System.Runtime.Serialization;
using Microsoft.Extensions.DependencyInjection;
using PyHosting.Hosting.Isolation;

namespace PyHosting.Worker;

/// <summary>Registers, in the worker's runtime, the providers the host serves over the channel (as the start frame says).</summary>
internal static class BrokeredServices
{
    /// <summary>Replaces the worker's own providers by brokered ones where the host brokers them.</summary>
    /// <param name="builder">The worker's runtime.</param>
    /// <param name="settings">The start frame's settings.</param>
    /// <param name="link">The channel.</param>
    public static void Add(IPythonRuntimeBuilder builder, IReadOnlyDictionary<string, string?> settings, HostLink link)
    {
        if (settings.TryGetValue(BrokeredProviders.FileSystemKey, out var fs) && fs == "true")
        {
            builder.WithFileSystem(new BrokeredFileSystem(link));
        }

        if (settings.TryGetValue(BrokeredProviders.ProcessesKey, out var processes) && processes == "true")
        {
            builder.WithProcessProvider(new BrokeredProcessProvider(link));
        }

        if (settings.TryGetValue(BrokeredProviders.ClockKey, out var frequency)
            && long.TryParse(frequency, NumberStyles.None, CultureInfo.InvariantCulture, out var ticksPerSecond) && ticksPerSecond > 0)
        {
            builder.WithTimeProvider(new BrokeredTimeProvider(link, ticksPerSecond, ZoneOf(settings)));
        }
    }

    /// <summary>The host clock's local zone as the start frame carries it, or the worker's own when it cannot be read.</summary>
    private static TimeZoneInfo ZoneOf(IReadOnlyDictionary<string, string?> settings)
    {
        try
        {
            return settings.TryGetValue(BrokeredProviders.ClockTimeZoneKey, out var zone) && !string.IsNullOrEmpty(zone)
                ? TimeZoneInfo.FromSerializedString(zone)
                : TimeZoneInfo.Local;
        }
        catch (Exception e) when (e is ArgumentException or SerializationException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Local;
        }
    }
}
