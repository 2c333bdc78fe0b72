using System.Globalization;

namespace PyHosting.Isolation.Tests;

/// <summary>Reads the process tree from /proc.</summary>
internal static class ProcessTree
{
    /// <summary>The process and all its descendants.</summary>
    public static List<int> WithDescendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var result = new List<int> { root };
        for (var i = 0; i < result.Count; i++)
        {
            result.AddRange(parents.Where(p => p.Value == result[i]).Select(p => p.Key));
        }

        return result;
    }

    /// <summary>Whether a process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a process is still running a few seconds after it was killed: SIGKILL is delivered at once, but a process
    /// with many threads takes a moment to be torn down by the kernel, more so on a loaded machine.
    /// </summary>
    public static bool OutlivesKill(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
