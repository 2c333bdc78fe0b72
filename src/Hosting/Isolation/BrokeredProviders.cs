using System.Globalization;
using PyHosting.Providers;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// The providers of the host's DI that a runtime's workers are served over the channel, and the permissions the
/// host checks again before it serves them (the worker is not trusted: it may run native code). A provider left
/// <see langword="null"/> is not brokered: the worker builds it from configuration (a stock mount table is served
/// inside the worker, the system clock is read there).
/// </summary>
/// <param name="FileSystem">The file system (decorated), or <see langword="null"/>.</param>
/// <param name="Processes">The process provider, or <see langword="null"/>.</param>
/// <param name="Clock">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
/// <param name="IO">The runtime's <c>Permissions:IO</c>.</param>
/// <param name="CreateProcess">The runtime's <c>Permissions:CreateProcess</c>.</param>
/// <param name="CodeRoots">The runtime's <c>ModulePaths</c>, normalised: where <c>IO=None</c> still lets imports look and read.</param>
internal sealed record BrokeredProviders(
    IPythonFileSystem? FileSystem,
    IPythonProcessProvider? Processes,
    TimeProvider? Clock,
    IOAccess IO,
    bool CreateProcess,
    IReadOnlyList<string> CodeRoots)
{
    /// <summary>The configuration key that tells a worker which providers are brokered (outside the runtime's section).</summary>
    public const string SettingsPrefix = "PyHostingWorker:Broker";

    /// <summary>The key that tells a worker its file system is brokered.</summary>
    public const string FileSystemKey = SettingsPrefix + ":FileSystem";

    /// <summary>The key that tells a worker its process provider is brokered.</summary>
    public const string ProcessesKey = SettingsPrefix + ":Processes";

    /// <summary>The key that tells a worker its clock is brokered, with the host clock's timestamp frequency as its value.</summary>
    public const string ClockKey = SettingsPrefix + ":ClockFrequency";

    /// <summary>The key that carries the brokered clock's local time zone (<see cref="TimeZoneInfo.ToSerializedString"/>), which the worker's runtime takes as its local zone.</summary>
    public const string ClockTimeZoneKey = SettingsPrefix + ":ClockTimeZone";

    /// <summary>Gets a value indicating whether anything is brokered.</summary>
    public bool Any => FileSystem is not null || Processes is not null || Clock is not null;

    /// <summary>Chooses what is brokered: everything the application supplied in code.</summary>
    /// <param name="options">The runtime's validated options.</param>
    /// <param name="fileSystem">The file system the host resolved (decorated), or <see langword="null"/> when it is the stock one from configuration.</param>
    /// <param name="processes">The process provider registered in code, or <see langword="null"/>.</param>
    /// <param name="clock">The runtime's clock.</param>
    /// <returns>The brokered providers.</returns>
    public static BrokeredProviders For(PythonRuntimeOptions options, IPythonFileSystem? fileSystem, IPythonProcessProvider? processes, TimeProvider clock)
    {
        var roots = options.ModulePaths
            .Where(static p => p.StartsWith('/'))
            .Select(static p => PythonPath.Normalize(p))
            .ToArray();
        return new BrokeredProviders(
            options.Backend == PythonBackend.Managed ? fileSystem : null,
            options.Backend == PythonBackend.Managed ? processes : null,
            options.Backend == PythonBackend.Managed && clock != TimeProvider.System ? clock : null,
            options.Permissions.IO,
            options.Permissions.CreateProcess,
            roots);
    }

    /// <summary>Removes the configured mounts from a worker's settings (its file system is brokered: it serves none of them).</summary>
    /// <param name="settings">The worker's settings.</param>
    public static void RemoveMounts(Dictionary<string, string?> settings)
    {
        foreach (var key in settings.Keys.Where(static k => k.StartsWith(PythonRuntimeConfigurationKeys.Mounts + ":", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            settings.Remove(key);
        }
    }

    /// <summary>Adds the keys that tell the worker what is brokered; a worker whose file system is brokered is told of no mount.</summary>
    /// <param name="settings">The worker's settings.</param>
    public void Describe(Dictionary<string, string?> settings)
    {
        if (FileSystem is not null)
        {
            settings[FileSystemKey] = "true";
            RemoveMounts(settings);
        }

        if (Processes is not null)
        {
            settings[ProcessesKey] = "true";
        }

        if (Clock is not null)
        {
            settings[ClockKey] = Clock.TimestampFrequency.ToString(CultureInfo.InvariantCulture);
            settings[ClockTimeZoneKey] = Clock.LocalTimeZone.ToSerializedString();
        }
    }
}
