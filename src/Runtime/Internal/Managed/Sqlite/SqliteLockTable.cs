namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// SQLite's file locks (SHARED, RESERVED, PENDING, EXCLUSIVE) between the connections of one runtime, per runtime
/// path. The provider file system has no byte-range locks, and no other process opens the runtime's files through
/// SQLite, so the table is the whole truth: it gives the same answers the operating system's locks give SQLite's
/// own VFS between processes (a writer waits for readers to leave, a reader never enters past a PENDING writer).
/// </summary>
internal sealed class SqliteLockTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Registers one open file of <paramref name="path"/>; the entry lives while a file is open.</summary>
    public Entry Open(string path)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(path, out var entry))
            {
                entry = new Entry(path);
                _entries[path] = entry;
            }

            entry.OpenFiles++;
            return entry;
        }
    }

    /// <summary>Releases what <paramref name="holder"/> holds and forgets the entry when its last file closes.</summary>
    public void Close(Entry entry, object holder)
    {
        lock (_gate)
        {
            UnlockLocked(entry, holder, SqliteNative.LockNone);
            if (--entry.OpenFiles == 0)
            {
                _entries.Remove(entry.Path);
            }
        }
    }

    /// <summary>Gets the number of paths with open files (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Raises <paramref name="holder"/>'s lock to <paramref name="level"/>; <see cref="SqliteNative.Busy"/> when another holder prevents it.</summary>
    public int Lock(Entry entry, object holder, ref int current, int level)
    {
        lock (_gate)
        {
            if (current >= level)
            {
                return SqliteNative.Ok;
            }

            var others = entry.Pending is { } p && p != holder || entry.Exclusive is { } x && x != holder;
            switch (level)
            {
                case SqliteNative.LockShared:
                    if (others)
                    {
                        return SqliteNative.Busy;
                    }

                    entry.Readers.Add(holder);
                    current = SqliteNative.LockShared;
                    return SqliteNative.Ok;

                case SqliteNative.LockReserved:
                    if (current != SqliteNative.LockShared || others || entry.Reserved is { } r && r != holder)
                    {
                        return SqliteNative.Busy;
                    }

                    entry.Reserved = holder;
                    current = SqliteNative.LockReserved;
                    return SqliteNative.Ok;

                default:
                    // EXCLUSIVE, through PENDING: once PENDING is held no new reader enters, and the writer waits for the others to leave.
                    if (current < SqliteNative.LockShared || others || entry.Reserved is { } owner && owner != holder)
                    {
                        return SqliteNative.Busy;
                    }

                    entry.Pending = holder;
                    if (entry.Readers.Count > 1)
                    {
                        current = SqliteNative.LockPending;
                        return SqliteNative.Busy;
                    }

                    entry.Exclusive = holder;
                    current = SqliteNative.LockExclusive;
                    return SqliteNative.Ok;
            }
        }
    }

    /// <summary>Lowers <paramref name="holder"/>'s lock to <paramref name="level"/> (SHARED or NONE).</summary>
    public void Unlock(Entry entry, object holder, ref int current, int level)
    {
        lock (_gate)
        {
            if (current <= level)
            {
                return;
            }

            UnlockLocked(entry, holder, level);
            current = level;
        }
    }

    /// <summary>Whether any holder has RESERVED or more.</summary>
    public bool IsReserved(Entry entry)
    {
        lock (_gate)
        {
            return entry.Reserved is not null || entry.Pending is not null || entry.Exclusive is not null;
        }
    }

    private static void UnlockLocked(Entry entry, object holder, int level)
    {
        if (entry.Reserved == holder)
        {
            entry.Reserved = null;
        }

        if (entry.Pending == holder)
        {
            entry.Pending = null;
        }

        if (entry.Exclusive == holder)
        {
            entry.Exclusive = null;
        }

        if (level == SqliteNative.LockNone)
        {
            entry.Readers.Remove(holder);
        }
    }

    /// <summary>The locks on one path.</summary>
    internal sealed class Entry(string path)
    {
        public string Path { get; } = path;

        public int OpenFiles { get; set; }

        /// <summary>Gets the holders of SHARED or more.</summary>
        public HashSet<object> Readers { get; } = [];

        public object? Reserved { get; set; }

        public object? Pending { get; set; }

        public object? Exclusive { get; set; }
    }
}
