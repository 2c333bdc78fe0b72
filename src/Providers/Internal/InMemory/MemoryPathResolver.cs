namespace PyHosting.Providers.Internal.InMemory;

/// <summary>The result of resolving a path: the directory that holds the final name, the name, and the entry if it exists.</summary>
/// <param name="Parent">The directory holding <paramref name="Name"/>, or <see langword="null"/> when the path resolved to a directory through <c>/</c>, <c>.</c> or <c>..</c> (no name to create or remove).</param>
/// <param name="Name">The final name; empty when <paramref name="Parent"/> is <see langword="null"/>.</param>
/// <param name="Node">The entry, or <see langword="null"/> when the final name does not exist.</param>
internal readonly record struct MemoryResolution(MemoryDirectory? Parent, string Name, MemoryNode? Node);

/// <summary>Resolves paths in an in-memory tree, following symbolic links like the kernel does (at most 40 per lookup).</summary>
internal static class MemoryPathResolver
{
    public const int MaxSymbolicLinks = 40;

    /// <summary>Resolves <paramref name="path"/>; the caller holds the store's lock.</summary>
    /// <exception cref="PythonIOException"><c>ENOENT</c> for a missing intermediate directory, <c>ENOTDIR</c>, <c>ELOOP</c>.</exception>
    public static MemoryResolution Resolve(MemoryDirectory root, string path, bool followFinal)
        => TryResolveDirect(root, path, followFinal, out var resolution) ? resolution : ResolveFollowing(root, path, followFinal);

    /// <summary>
    /// The common case without allocating: a path of plain names, no symbolic link on the way. Returns
    /// <see langword="false"/> for anything else (a link to follow, <c>.</c>, <c>..</c>, an empty segment, a
    /// missing or non-directory parent), which <see cref="ResolveFollowing"/> then resolves with its errors.
    /// </summary>
    private static bool TryResolveDirect(MemoryDirectory root, string path, bool followFinal, out MemoryResolution resolution)
    {
        resolution = default;
        if (path.Length < 2 || path[0] != '/')
        {
            return false;
        }

        var directory = root;
        var start = 1;
        while (true)
        {
            var slash = path.IndexOf('/', start);
            var end = slash < 0 ? path.Length : slash;
            var segment = path.AsSpan(start, end - start);
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }

            directory.Entries.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(segment, out var name, out var node);
            if (slash < 0)
            {
                if (node is MemorySymbolicLink && followFinal)
                {
                    return false;
                }

                resolution = new MemoryResolution(directory, name ?? path[start..], node);
                return true;
            }

            if (node is not MemoryDirectory child)
            {
                return false;
            }

            directory = child;
            start = slash + 1;
        }
    }

    private static MemoryResolution ResolveFollowing(MemoryDirectory root, string path, bool followFinal)
    {
        var pending = new Stack<string>();
        PushSegments(pending, path);
        var directory = root;
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            var isLast = pending.Count == 0;
            if (segment == "..")
            {
                directory = directory.Parent;
                continue;
            }

            if (segment == ".")
            {
                continue;
            }

            directory.Entries.TryGetValue(segment, out var node);
            if (node is MemorySymbolicLink link && (!isLast || followFinal))
            {
                if (++links > MaxSymbolicLinks)
                {
                    throw FileSystemErrors.Create(Errno.ELOOP, path);
                }

                if (link.Target.Length == 0)
                {
                    throw FileSystemErrors.Create(Errno.ENOENT, path);
                }

                if (link.Target[0] == '/')
                {
                    directory = root;
                }

                PushSegments(pending, link.Target);
                if (pending.Count == 0)
                {
                    // The link pointed at "/" (or only slashes): it resolves to the directory itself.
                    return new MemoryResolution(null, string.Empty, directory);
                }

                continue;
            }

            if (isLast)
            {
                return new MemoryResolution(directory, segment, node);
            }

            directory = node switch
            {
                MemoryDirectory child => child,
                null => throw FileSystemErrors.Create(Errno.ENOENT, path),
                _ => throw FileSystemErrors.Create(Errno.ENOTDIR, path),
            };
        }

        // The path was "/" or ended with "." or "..": it names a directory, not an entry in one.
        return new MemoryResolution(null, string.Empty, directory);
    }

    private static void PushSegments(Stack<string> pending, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }
}
