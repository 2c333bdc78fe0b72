using System.Text;

namespace PyHosting.Providers.Internal.InMemory;

/// <summary>The state shared by all nodes and streams of one in-memory file system: the lock, the quota, the clock and the inode counter.</summary>
internal sealed class MemoryStore(long maxTotalBytes, TimeProvider timeProvider)
{
    private long _nextInode = 1;

    /// <summary>Gets the lock that guards every node and the quota.</summary>
    public Lock Gate { get; } = new();

    public long MaxTotalBytes { get; } = maxTotalBytes;

    private long _usedBytes;

    /// <summary>Gets the bytes charged against the quota (file contents, link texts and entry names). Changed under <see cref="Gate"/>; read without it.</summary>
    public long UsedBytes
    {
        get => Volatile.Read(ref _usedBytes);
        private set => Volatile.Write(ref _usedBytes, value);
    }

    public DateTimeOffset Now() => timeProvider.GetUtcNow();

    public long NextInode() => _nextInode++;

    /// <summary>Charges <paramref name="bytes"/> against the quota; callers hold <see cref="Gate"/> and change nothing before this succeeds.</summary>
    /// <exception cref="PythonIOException"><c>ENOSPC</c> when the quota would be exceeded.</exception>
    public void Charge(long bytes, string path)
    {
        if (bytes > MaxTotalBytes - UsedBytes)
        {
            throw FileSystemErrors.Create(Errno.ENOSPC, path);
        }

        UsedBytes += bytes;
    }

    public void Release(long bytes) => UsedBytes -= bytes;

    public static long NameBytes(string name) => Encoding.UTF8.GetByteCount(name);
}
