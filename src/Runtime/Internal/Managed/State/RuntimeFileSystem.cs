using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The name space Python code sees: read-only system roots (the Python home and the directories of
/// registered native extensions, at their host paths) in front of the user's file-system provider.
/// </summary>
internal sealed class RuntimeFileSystem
{
    private readonly (string Root, IPythonFileSystem FileSystem)[] _systemRoots;

    public RuntimeFileSystem(IPythonFileSystem user, IEnumerable<(string Root, IPythonFileSystem FileSystem)> systemRoots)
    {
        User = user;
        Charge = new InMemoryCharge(user);
        _systemRoots = systemRoots.OrderByDescending(r => r.Root.Length).ToArray();
    }

    public IPythonFileSystem User { get; }

    /// <summary>Gets the count of the in-memory file systems' contents against the memory limit.</summary>
    public InMemoryCharge Charge { get; }

    public IEnumerable<string> SystemRoots => _systemRoots.Select(r => r.Root);

    /// <summary>Finds the file system serving <paramref name="path"/> and the path to give it.</summary>
    public (IPythonFileSystem FileSystem, string Path, bool IsSystem) Route(string path)
    {
        foreach (var (root, fs) in _systemRoots)
        {
            if (ManagedPath.IsUnder(path, root))
            {
                var inner = path.Length == root.Length ? "/" : path[root.Length..];
                return (fs, inner, true);
            }
        }

        return (User, path, false);
    }

    public bool IsSystemPath(string path)
    {
        // Called for every permission check: no allocation.
        foreach (var (root, _) in _systemRoots)
        {
            if (ManagedPath.IsUnder(path, root))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names of the children of <paramref name="directory"/> that lead to system roots (listing it must show the way there).</summary>
    public IEnumerable<string> SystemChildrenOf(string directory)
    {
        foreach (var (root, _) in _systemRoots)
        {
            if (root != directory && ManagedPath.IsUnder(root, directory))
            {
                var rest = directory == "/" ? root[1..] : root[(directory.Length + 1)..];
                var slash = rest.IndexOf('/');
                yield return slash < 0 ? rest : rest[..slash];
            }
        }
    }
}
