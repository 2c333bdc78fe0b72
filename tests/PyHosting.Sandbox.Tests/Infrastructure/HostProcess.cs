using System.Globalization;

namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>
/// Identifiers of OS objects around this test process (which hosts the in-process runtime) that Python code must not
/// be able to ask about: init, the real parent, the real process group and session, another thread of the host.
/// Identifiers that happen to be this process's own pid are left out (the runtime may answer for itself).
/// </summary>
internal static class HostProcess
{
    public static IReadOnlyDictionary<string, long> Identifiers()
    {
        // /proc/self/stat: pid (comm) state ppid pgrp session ...
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var own = Environment.ProcessId;
        var thread = Directory.EnumerateDirectories("/proc/self/task")
            .Select(d => long.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
            .First(t => t != own);
        var all = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["init"] = 1,
            ["parent"] = long.Parse(fields[1], CultureInfo.InvariantCulture),
            ["process group"] = long.Parse(fields[2], CultureInfo.InvariantCulture),
            ["session"] = long.Parse(fields[3], CultureInfo.InvariantCulture),
            ["host thread"] = thread,
        };
        return all.Where(p => p.Value != own && p.Value > 0).ToDictionary(StringComparer.Ordinal);
    }
}
