namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The runtime's <c>flock</c> locks: advisory, per open file (descriptors made by <c>dup</c> share one), and kept per
/// file identity, so that two opens of the same file in the runtime conflict as two opens conflict on Linux. A file of
/// a provider is identified by the runtime path it was opened with; any other descriptor (a pipe, a memory file) by
/// itself. The locks live in the runtime only: other processes, the host included, do not see them.
/// </summary>
internal sealed class FlockTable
{
    private readonly Dictionary<object, Holders> _locks = [];
    private readonly Lock _gate = new();

    /// <summary>Gets the number of files that have a lock now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _locks.Count;
            }
        }
    }

    /// <summary>Takes a shared or exclusive lock for <paramref name="file"/>, or converts the one it has; false when another open file's lock conflicts.</summary>
    public bool TryLock(OpenFile file, bool exclusive)
    {
        var key = KeyOf(file);
        lock (_gate)
        {
            if (!_locks.TryGetValue(key, out var holders))
            {
                holders = new Holders();
            }

            if (holders.Exclusive is { } owner && owner != file)
            {
                return false;
            }

            if (exclusive && holders.Shared.Any(f => f != file))
            {
                return false;
            }

            holders.Shared.Remove(file);
            holders.Exclusive = null;
            if (exclusive)
            {
                holders.Exclusive = file;
            }
            else
            {
                holders.Shared.Add(file);
            }

            _locks[key] = holders;
        }

        // The last close of the file releases its lock, as the kernel does when the open file description goes.
        file.Closing = Unlock;
        return true;
    }

    /// <summary>Removes the lock of <paramref name="file"/>, if it has one.</summary>
    public void Unlock(OpenFile file)
    {
        var key = KeyOf(file);
        lock (_gate)
        {
            if (!_locks.TryGetValue(key, out var holders))
            {
                return;
            }

            holders.Shared.Remove(file);
            if (holders.Exclusive == file)
            {
                holders.Exclusive = null;
            }

            if (holders.Exclusive is null && holders.Shared.Count == 0)
            {
                _locks.Remove(key);
            }
        }

        // A waiter for this file may take it now (waits re-check on every change of a descriptor).
        Readiness.Changed();
    }

    private static object KeyOf(OpenFile file) => file is ProviderFile { Path: { } path } ? path : file;

    private sealed class Holders
    {
        public HashSet<OpenFile> Shared { get; } = new(ReferenceEqualityComparer.Instance);

        public OpenFile? Exclusive { get; set; }
    }
}
