using Microsoft.Extensions.Logging;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.TimeZones;

/// <summary>
/// The local time zone of one runtime. It is the runtime's <see cref="TimeProvider.LocalTimeZone"/> (read at every use,
/// so a fake clock whose zone changes is followed), unless <c>TZ</c> is set in the runtime's environment: then, as on
/// Linux, the value read when the runtime started or at the last <c>time.tzset()</c> decides. A zone name is read from
/// the system time-zone database that <c>zoneinfo</c> reads (read-only, through the runtime's own name space, never at a
/// host path built from the value), otherwise the value is a POSIX TZ string. Nothing of the host process changes: its
/// <c>TZ</c>, the C library's zone and other runtimes keep theirs.
/// </summary>
internal sealed class RuntimeTimeZone
{
    /// <summary>The most bytes of one compiled zone read (the largest in the database is a few kilobytes).</summary>
    private const int MaxZoneFileBytes = 1 << 20;

    private const int MaxCachedFiles = 256;
    private readonly ManagedBackend _backend;
    private readonly Dictionary<string, LocalZone?> _files = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _started;
    private LocalZone? _fromTz;
    private (TimeZoneInfo Source, LocalZone Zone)? _fromProvider;

    public RuntimeTimeZone(ManagedBackend backend) => _backend = backend;

    /// <summary>Gets the zone in force.</summary>
    public LocalZone Current
    {
        get
        {
            lock (_gate)
            {
                if (!_started)
                {
                    _started = true;
                    _fromTz = FromEnvironment(log: true);
                }

                if (_fromTz is not null)
                {
                    return _fromTz;
                }

                var source = _backend.Clock.LocalTimeZone;
                if (_fromProvider is not { } cached || !ReferenceEquals(cached.Source, source))
                {
                    cached = (source, FromTimeZoneInfo(source));
                    _fromProvider = cached;
                }

                return cached.Zone;
            }
        }
    }

    /// <summary><c>time.tzset()</c>: reads <c>TZ</c> of the runtime's environment again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _started = true;
            _fromTz = FromEnvironment(log: true);
        }
    }

    private LocalZone? FromEnvironment(bool log)
    {
        string? tz;
        lock (_backend.Environment)
        {
            tz = _backend.Environment.TryGetValue("TZ", out var value) ? value : null;
        }

        if (tz is null)
        {
            if (log)
            {
                TimeZoneLog.FromProvider(_backend.Compatibility, _backend.Clock.LocalTimeZone.Id);
            }

            return null;
        }

        var zone = Resolve(tz);
        if (log)
        {
            TimeZoneLog.FromTz(_backend.Compatibility, TimeZoneLog.Shorten(tz), zone is TzifZone ? "the time-zone database" : "a POSIX TZ string");
        }

        return zone;
    }

    /// <summary>Reads a TZ value as glibc does: empty is UTC, a leading colon is dropped, a file of the database first, then a POSIX string.</summary>
    public LocalZone Resolve(string tz)
    {
        if (tz.Length == 0)
        {
            tz = "Universal";
        }

        if (tz[0] == ':')
        {
            tz = tz[1..];
        }

        return FromDatabase(tz, logRefusal: true) ?? PosixTimeZone.Parse(tz);
    }

    private LocalZone FromTimeZoneInfo(TimeZoneInfo zone)
    {
        // A zone of the IANA database is read from its file, for the abbreviations C reports (CET, CEST), when the file
        // agrees with the zone around now (a custom zone may reuse a database id; a deserialized one has the same rules).
        if (FromDatabase(zone.Id, logRefusal: false) is { } file)
        {
            var now = _backend.Clock.GetUtcNow();
            var agrees = true;
            foreach (var days in (ReadOnlySpan<int>)[-182, 0, 182])
            {
                var instant = now.AddDays(days);
                agrees &= file.At(instant.ToUnixTimeSeconds()).Offset == (int)zone.GetUtcOffset(instant).TotalSeconds;
            }

            if (agrees)
            {
                return file;
            }
        }

        return new TimeZoneInfoZone(zone);
    }

    /// <summary>
    /// A compiled zone of the database, or null. The name is a path relative to the database, or an absolute path into it;
    /// <c>..</c> is refused outright, and the normalised path must stay inside the database, which the runtime serves read-only.
    /// </summary>
    private LocalZone? FromDatabase(string name, bool logRefusal)
    {
        const string Database = ManagedBackend.TimeZoneDatabase;
        if (name.Length is 0 or > 255 || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var escapes = name.Split('/').Contains("..");
        var path = escapes ? null : ManagedPath.Resolve("/", name[0] == '/' ? name : Database + "/" + name);
        if (path is null || !ManagedPath.IsUnder(path, Database) || path == Database)
        {
            if (logRefusal && (escapes || name[0] == '/'))
            {
                TimeZoneLog.PathRefused(_backend.Compatibility, TimeZoneLog.Shorten(name), Database);
            }

            return null;
        }

        lock (_files)
        {
            if (_files.TryGetValue(path, out var cached))
            {
                return cached;
            }

            if (_files.Count >= MaxCachedFiles)
            {
                _files.Clear();
            }

            var zone = ReadZoneFile(path, name);
            _files[path] = zone;
            return zone;
        }
    }

    private LocalZone? ReadZoneFile(string path, string name)
    {
        var fileSystem = _backend.FileSystem;
        if (!fileSystem.IsSystemPath(path))
        {
            return null; // the database is not on this machine
        }

        try
        {
            var (provider, inner, _) = fileSystem.Route(path);
            using var stream = provider.Open(inner, PythonOpenFlags.Read);
            var buffer = new byte[MaxZoneFileBytes];
            var length = 0;
            int n;
            while (length < buffer.Length && (n = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += n;
            }

            return TzifZone.Read(name, buffer.AsSpan(0, length));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not a file (a directory, missing, unreadable): glibc then reads the value as a POSIX string.
            return null;
        }
    }
}

/// <summary>Compatibility log lines of the runtime's time zone (event ids 150-154).</summary>
internal static partial class TimeZoneLog
{
    [LoggerMessage(EventId = 150, EventName = "TimeZoneFromTz", Level = LogLevel.Debug, Message = "Emulated: the runtime's local time zone is TZ '{Value}' (read from {Source}); the host's zone is unchanged")]
    public static partial void FromTz(ILogger logger, string value, string source);

    [LoggerMessage(EventId = 151, EventName = "TimeZoneFromProvider", Level = LogLevel.Trace, Message = "Emulated: the runtime's local time zone is its TimeProvider's ('{Zone}'): TZ is not set in its environment")]
    public static partial void FromProvider(ILogger logger, string zone);

    [LoggerMessage(EventId = 152, EventName = "TimeZonePathRefused", Level = LogLevel.Debug, Message = "Ignored: TZ '{Value}' names a file outside the time-zone database {Database}; read as a POSIX TZ string instead")]
    public static partial void PathRefused(ILogger logger, string value, string database);

    [LoggerMessage(EventId = 153, EventName = "ClockSetRefused", Level = LogLevel.Debug, Message = "Emulated: time.{Function} refused with EPERM: the runtime's clock is its TimeProvider, which Python does not set")]
    public static partial void ClockSetRefused(ILogger logger, string function);

    /// <summary>A value for a log line: at most 80 characters, control characters shown escaped.</summary>
    public static string Shorten(string value)
    {
        var text = value.Length > 80 ? value[..80] + "..." : value;
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
    }
}
