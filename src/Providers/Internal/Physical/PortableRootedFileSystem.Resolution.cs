namespace PyHosting.Providers.Internal.Physical;

/// <content>Resolution of runtime paths to host paths inside the root, and error mapping.</content>
internal sealed partial class PortableRootedFileSystem
{
    private const int MaxSymbolicLinks = 40;

    private static string? LinkTargetOf(string host)
    {
        try
        {
            return new FileInfo(host).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsRealDirectory(string host) => LinkTargetOf(host) is null && Directory.Exists(host);

    /// <summary>Runs an operation and maps host exceptions that carry an errno to <see cref="PythonIOException"/>.</summary>
    private static T Guard<T>(string path, Func<T> operation)
    {
        PythonPath.Validate(path);
        try
        {
            return operation();
        }
        catch (IOException e) when (e is not PythonIOException and not FileNotFoundException and not DirectoryNotFoundException
            && !OperatingSystem.IsWindows() && e.HResult is > 0 and < 512)
        {
            // On Unix, .NET puts the errno of a failed system call in HResult.
            throw FileSystemErrors.Create(e.HResult, path, e);
        }
    }

    private static void Guard(string path, Action operation) => Guard(path, () =>
    {
        operation();
        return true;
    });

    private string Join(List<string> segments)
        => segments.Count == 0 ? hostRoot : Path.Join([hostRoot, .. segments]);

    /// <summary>
    /// Resolves <paramref name="path"/> to a host path inside the root, following links in every
    /// component but the last (and the last when <paramref name="followFinal"/>), like a chroot.
    /// </summary>
    /// <returns>The host path; it may not exist.</returns>
    /// <exception cref="PythonIOException"><c>ENOENT</c>/<c>ENOTDIR</c> for a bad intermediate component, <c>ELOOP</c>.</exception>
    private string Resolve(string path, bool followFinal, NotFoundKind notFound = NotFoundKind.Errno)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>();
        Push(pending, path);
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            if (segment == ".")
            {
                continue;
            }

            var isLast = pending.Count == 0;
            resolved.Add(segment);
            var host = Join(resolved);
            if ((!isLast || followFinal) && LinkTargetOf(host) is { } target)
            {
                if (++links > MaxSymbolicLinks)
                {
                    throw FileSystemErrors.Create(Errno.ELOOP, path);
                }

                resolved.RemoveAt(resolved.Count - 1);
                if (Path.IsPathRooted(target))
                {
                    // An absolute target is relative to the root, as in a chroot.
                    resolved.Clear();
                    target = target[Path.GetPathRoot(target)!.Length..];
                }

                Push(pending, target);
                continue;
            }

            if (!isLast && !Directory.Exists(host))
            {
                throw File.Exists(host) ? FileSystemErrors.Create(Errno.ENOTDIR, path) : FileSystemErrors.FromErrno(Errno.ENOENT, path, notFound);
            }
        }

        return Join(resolved);
    }

    private string ResolveExisting(string path)
    {
        var host = Resolve(path, followFinal: false);
        return LinkTargetOf(host) is not null || File.Exists(host) || Directory.Exists(host)
            ? host
            : throw FileSystemErrors.Create(Errno.ENOENT, path);
    }

    private string ResolveExistingForChange(string path, bool followSymbolicLinks)
    {
        var host = Resolve(path, followSymbolicLinks);
        if (LinkTargetOf(host) is not null)
        {
            // The host APIs always follow links: changing the link itself is not supported here.
            throw FileSystemErrors.Create(followSymbolicLinks ? Errno.ENOENT : Errno.EOPNOTSUPP, path);
        }

        return File.Exists(host) || Directory.Exists(host) ? host : throw FileSystemErrors.Create(Errno.ENOENT, path);
    }

    private string ResolveForCreate(string path)
    {
        if (path == PythonPath.Root)
        {
            throw FileSystemErrors.Create(Errno.EEXIST, path);
        }

        var host = Resolve(path, followFinal: false);
        return LinkTargetOf(host) is not null || File.Exists(host) || Directory.Exists(host)
            ? throw FileSystemErrors.Create(Errno.EEXIST, path)
            : host;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var segments = path.Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }
}
