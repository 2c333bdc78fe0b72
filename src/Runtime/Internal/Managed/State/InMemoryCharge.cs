using PyHosting.Internal.Bridge;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// Counts what the runtime's in-memory file systems hold against <c>PythonRuntime:MemoryLimit</c>: their
/// contents are .NET memory that Python fills. A write reserves its size before it is copied (a write the
/// limit refuses fails with <c>ENOSPC</c> and copies nothing); every other change (a new name, a link, a
/// deletion) is brought into the count at the next change, so the count lags by at most one small operation.
/// </summary>
internal sealed class InMemoryCharge
{
    private readonly InMemoryPythonFileSystem[] _stores;
    private readonly Lock _gate = new();
    private long _charged;

    public InMemoryCharge(IPythonFileSystem fileSystem)
    {
        var stores = new List<InMemoryPythonFileSystem>();
        Collect(fileSystem, stores);
        _stores = [.. stores];
    }

    /// <summary>Gets a value indicating whether there is anything to count.</summary>
    public bool Active => _stores.Length > 0;

    /// <summary>Reserves room for a write of <paramref name="bytes"/>, before it is copied.</summary>
    /// <exception cref="PythonIOException"><c>ENOSPC</c>: the memory limit refuses it.</exception>
    public void BeforeWrite(long bytes)
    {
        if (!Active)
        {
            return;
        }

        Sync();
        if (!PythonInterpreter.TryReserveHostMemory(bytes))
        {
            throw new PythonIOException(Errno.ENOSPC, "No space left on device: the in-memory file system's contents would pass PythonRuntime:MemoryLimit");
        }

        lock (_gate)
        {
            Volatile.Write(ref _charged, _charged + bytes);
        }
    }

    /// <summary>Brings the count up to what the in-memory file systems hold now.</summary>
    public void Sync()
    {
        if (!Active)
        {
            return;
        }

        var used = 0L;
        foreach (var store in _stores)
        {
            used += store.UsedBytes;
        }

        if (used == Volatile.Read(ref _charged))
        {
            // Nothing changed since the last count (the common case: most operations store nothing).
            return;
        }

        lock (_gate)
        {
            var change = used - _charged;
            if (change > 0)
            {
                // Already stored: counted even past the limit, so that the next allocation is the one refused.
                using var exemption = PythonInterpreter.ExemptFromMemoryLimit();
                PythonInterpreter.TryReserveHostMemory(change);
            }
            else
            {
                PythonInterpreter.ReleaseHostMemory(-change);
            }

            Volatile.Write(ref _charged, used);
        }
    }

    /// <summary>Whether the <c>posix</c> function <paramref name="name"/> can shrink or grow an in-memory file system without writing to a file.</summary>
    public static bool Changes(string name) => name is "mkdir" or "rmdir" or "remove" or "unlink" or "rename" or "replace" or "symlink" or "link" or "close" or "closerange" or "dup2";

    /// <summary>Wraps a bridge function so that the count is brought up to date when it returns (a deleted file gives its memory back at once).</summary>
    public static BridgeHandler SyncedAfter(ManagedBackend backend, BridgeHandler handler) => args =>
    {
        try
        {
            return handler(args);
        }
        finally
        {
            backend.FileSystem.Charge.Sync();
        }
    };

    private static void Collect(IPythonFileSystem fileSystem, List<InMemoryPythonFileSystem> stores)
    {
        switch (fileSystem)
        {
            case InMemoryPythonFileSystem memory:
                stores.Add(memory);
                break;
            case MountTablePythonFileSystem table:
                foreach (var mount in table.Mounts)
                {
                    Collect(mount.FileSystem, stores);
                }

                break;
        }
    }
}
