using System.Globalization;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// Reads a worker's resident memory from /proc: the process the host started and its descendants (prlimit execs
/// bubblewrap, which starts the worker in its own PID namespace; the worker may start Python's child processes).
/// </summary>
internal static class WorkerMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Sums the resident set size of <paramref name="processId"/> and its descendants.</summary>
    /// <param name="processId">The process the host started, in the host's PID namespace.</param>
    /// <returns>The bytes, or <see langword="null"/> when /proc cannot be read (not Linux, the process is gone).</returns>
    public static long? ResidentBytes(int processId)
    {
        if (!OperatingSystem.IsLinux() || processId <= 0)
        {
            return null;
        }

        long total = 0;
        var found = false;
        var pending = new Stack<int>();
        var visited = new HashSet<int>();
        pending.Push(processId);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            if (!visited.Add(pid) || visited.Count > 4096)
            {
                continue;
            }

            if (Resident(pid) is { } bytes)
            {
                total += bytes;
                found = true;
            }

            foreach (var child in Children(pid))
            {
                pending.Push(child);
            }
        }

        return found ? total : null;
    }

    private static long? Resident(int pid)
    {
        try
        {
            // statm: size resident shared text lib data dt, in pages.
            var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages * PageSize : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    yield return id;
                }
            }
        }
    }
}
