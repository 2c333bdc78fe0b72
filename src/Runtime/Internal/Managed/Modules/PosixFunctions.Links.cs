using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Error file names and symbolic links. Providers follow links in their own name space; a link whose
/// text is an absolute runtime path, or that leads out of its mount, is followed here, by the runtime,
/// after the provider reported that the path does not exist (so the common case costs nothing extra).
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    private const int MaxLinkHops = 40;

    /// <summary>The null device, served by the runtime itself.</summary>
    private const string NullDevice = "/dev/null";

    /// <summary>
    /// An exception filter that records the file names Python reports with the error, and never catches:
    /// <c>catch (Exception) when (Tag(path)) { throw; }</c>. The outermost filter runs last, so the
    /// handler's own (user-given) names win over anything recorded deeper.
    /// </summary>
    private static bool Tag(string? path, string? path2 = null)
    {
        ManagedErrors.SetPaths(path, path2);
        return false;
    }

    /// <summary>Forgets file names recorded for an exception that was handled here (so that they never reach a later error).</summary>
    private static void Untag() => ManagedErrors.SetPaths(null);

    private static PythonIOException LinkLoop() => new(Errno.ELOOP, "Too many levels of symbolic links");

    private static PythonIOException NotFound() => new(Errno.ENOENT, "No such file or directory");

    /// <summary>
    /// After the provider reported that <paramref name="path"/> does not exist: the path reached by following,
    /// in the runtime's name space, the symbolic link that explains it (the final entry when
    /// <paramref name="followFinal"/>, or a parent), or <see langword="null"/> when no link does.
    /// </summary>
    internal string? FollowLinksInRuntime(string path, bool followFinal)
    {
        if (path == "/")
        {
            return null;
        }

        var (fs, inner, isSystem) = _backend.FileSystem.Route(path);
        if (isSystem)
        {
            return null;
        }

        if (followFinal)
        {
            var own = TryStatus(fs, inner, follow: false);
            if (own is { Kind: PythonFileKind.SymbolicLink })
            {
                return ManagedPath.Resolve(ManagedPath.Parent(path), fs.ReadSymbolicLink(inner));
            }

            if (own is not null)
            {
                return null;
            }
        }

        var parent = ManagedPath.Parent(path);
        if (parent == "/")
        {
            return null;
        }

        var (parentFs, parentInner, _) = _backend.FileSystem.Route(parent);
        if (TryStatus(parentFs, parentInner, follow: true) is not null || _backend.FileSystem.SystemChildrenOf(parent).Any())
        {
            return null; // the provider reaches the parent: the entry itself is missing
        }

        var resolvedParent = FollowLinksInRuntime(parent, followFinal: true);
        return resolvedParent is null ? null : (resolvedParent == "/" ? string.Empty : resolvedParent) + path[parent.Length..];
    }

    private static PythonFileStatus? TryStatus(IPythonFileSystem fs, string inner, bool follow)
    {
        try
        {
            return fs.GetStatus(inner, follow);
        }
        catch (Exception e) when (ProviderCalls.IsNotFound(e) || e is PythonIOException { ErrorNumber: Errno.ENOTDIR })
        {
            return null;
        }
    }

    /// <summary>The status of a runtime path (<c>stat</c>/<c>lstat</c>), following links in the runtime where the provider cannot.</summary>
    /// <summary>The status of a directory on the way to a system root that no provider serves: read-only, owned by no one, dated now.</summary>
    private PythonFileStatus WayToSystemRoot()
    {
        var now = _backend.Clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Directory, 4096, 0x16D, now, now, now) { LinkCount = 2 };
    }

    private PythonFileStatus StatPath(string resolved, bool follow, string operation)
        => StatPathOrNull(resolved, follow, operation) ?? throw NotFound();

    /// <summary>As <see cref="StatPath"/>, <see langword="null"/> when nothing is there (the common failure costs no .NET exception).</summary>
    private PythonFileStatus? StatPathOrNull(string resolved, bool follow, string operation) => StatPathOrNull(resolved, follow, operation, out _);

    /// <summary>As <see cref="StatPathOrNull(string, bool, string)"/>, with the path the status was found at (links followed in the runtime).</summary>
    private PythonFileStatus? StatPathOrNull(string resolved, bool follow, string operation, out string final)
    {
        var path = resolved;
        for (var hop = 0; ; hop++)
        {
            final = path;
            if (_backend.Permissions.IO == IOAccess.None && _backend.FileSystem.SystemChildrenOf(path).Any())
            {
                // On the way to the Python home, which the runtime shows whatever IO says (listings show these directories
                // too): without IO, the user's file system is not asked.
                return WayToSystemRoot();
            }

            _backend.CheckMetadata(path, operation);
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            PythonFileStatus? status;
            try
            {
                status = fs.GetStatus(inner, follow);
            }
            catch (Exception e) when (ProviderCalls.IsNotFound(e))
            {
                status = null;
            }

            if (status is not null)
            {
                return status;
            }

            if (path == NullDevice)
            {
                // os.devnull opens whatever the providers hold: it exists for os.path.exists and stat too.
                return new NullFile().Status(_backend.Clock);
            }

            if (_backend.FileSystem.SystemChildrenOf(path).Any())
            {
                // A directory on the way to the Python home that the user's file system does not have.
                return WayToSystemRoot();
            }

            var next = FollowLinksInRuntime(path, follow);
            if (next is null)
            {
                return null;
            }

            path = next;
            if (hop == MaxLinkHops)
            {
                throw LinkLoop();
            }
        }
    }

    /// <summary>
    /// Runs a provider operation on a runtime path, retrying on the path reached through runtime links when
    /// the provider reports that it does not exist. <paramref name="operation"/> checks its permission
    /// itself, so that a link never leads past a check.
    /// </summary>
    private void OnPath<TState>(string resolved, bool followFinal, TState state, Action<IPythonFileSystem, string, string, TState> operation)
    {
        var path = resolved;
        for (var hop = 0; ; hop++)
        {
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            try
            {
                operation(fs, inner, path, state);
                return;
            }
            catch (Exception e) when (ProviderCalls.IsNotFound(e) && hop < MaxLinkHops)
            {
                // Not in a filter: following calls the provider, whose own finally blocks must have run.
                var next = FollowLinksInRuntime(path, followFinal);
                if (next is null || next == path)
                {
                    throw;
                }

                path = next;
            }
        }
    }

    private T OnPath<T, TState>(string resolved, bool followFinal, TState state, Func<IPythonFileSystem, string, string, TState, T> operation)
    {
        var path = resolved;
        for (var hop = 0; ; hop++)
        {
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            try
            {
                return operation(fs, inner, path, state);
            }
            catch (Exception e) when (ProviderCalls.IsNotFound(e) && hop < MaxLinkHops)
            {
                // Not in a filter: following calls the provider, whose own finally blocks must have run.
                var next = FollowLinksInRuntime(path, followFinal);
                if (next is null || next == path)
                {
                    throw;
                }

                path = next;
            }
        }
    }
}
