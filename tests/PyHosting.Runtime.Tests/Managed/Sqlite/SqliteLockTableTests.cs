using PyHosting.Internal.Managed.Sqlite;

namespace PyHosting.Runtime.Tests.Managed.Sqlite;

/// <summary>The locks between a runtime's SQLite connections: the answers SQLite's own VFS gets from the operating system's locks.</summary>
public sealed class SqliteLockTableTests
{
    private const int None = SqliteNative.LockNone;
    private const int Shared = SqliteNative.LockShared;
    private const int Reserved = SqliteNative.LockReserved;
    private const int Pending = SqliteNative.LockPending;
    private const int Exclusive = SqliteNative.LockExclusive;
    private const int Ok = SqliteNative.Ok;
    private const int Busy = SqliteNative.Busy;

    private readonly SqliteLockTable _table = new();
    private readonly object _a = new();
    private readonly object _b = new();
    private int _levelA;
    private int _levelB;

    [Fact]
    public void Readers_ShareTheFile_AndOneOfThemMayReserve()
    {
        var entry = _table.Open("/db");
        _table.Open("/db");

        Assert.Equal(Ok, _table.Lock(entry, _a, ref _levelA, Shared));
        Assert.Equal(Ok, _table.Lock(entry, _b, ref _levelB, Shared));
        Assert.Equal(Ok, _table.Lock(entry, _a, ref _levelA, Reserved));
        Assert.True(_table.IsReserved(entry));
        Assert.Equal(Busy, _table.Lock(entry, _b, ref _levelB, Reserved));
        Assert.Equal(Shared, _levelB);
    }

    [Fact]
    public void Writer_WaitsAtPendingForReaders_AndNoNewReaderEntersMeanwhile()
    {
        var entry = _table.Open("/db");
        var third = new object();
        var levelC = None;
        _table.Lock(entry, _a, ref _levelA, Shared);
        _table.Lock(entry, _b, ref _levelB, Shared);
        _table.Lock(entry, _a, ref _levelA, Reserved);

        Assert.Equal(Busy, _table.Lock(entry, _a, ref _levelA, Exclusive));
        Assert.Equal(Pending, _levelA);
        Assert.Equal(Busy, _table.Lock(entry, third, ref levelC, Shared));

        _table.Unlock(entry, _b, ref _levelB, None);
        Assert.Equal(Ok, _table.Lock(entry, _a, ref _levelA, Exclusive));
        Assert.Equal(Exclusive, _levelA);
        Assert.Equal(Busy, _table.Lock(entry, _b, ref _levelB, Shared));

        _table.Unlock(entry, _a, ref _levelA, Shared);
        Assert.False(_table.IsReserved(entry));
        Assert.Equal(Ok, _table.Lock(entry, _b, ref _levelB, Shared));
    }

    [Fact]
    public void ClosingAFile_ReleasesItsLocks_AndForgetsThePathWithItsLastFile()
    {
        var entry = _table.Open("/db");
        var other = _table.Open("/db");
        _table.Lock(entry, _a, ref _levelA, Shared);
        _table.Lock(entry, _a, ref _levelA, Exclusive);

        _table.Close(entry, _a);

        Assert.Equal(Ok, _table.Lock(other, _b, ref _levelB, Shared));
        Assert.Equal(Ok, _table.Lock(other, _b, ref _levelB, Exclusive));
        Assert.Equal(1, _table.Count);
        _table.Close(other, _b);
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void DifferentPaths_DoNotConflict()
    {
        var one = _table.Open("/one.db");
        var two = _table.Open("/two.db");
        _table.Lock(one, _a, ref _levelA, Shared);

        Assert.Equal(Ok, _table.Lock(one, _a, ref _levelA, Exclusive));
        Assert.Equal(Ok, _table.Lock(two, _b, ref _levelB, Shared));
        Assert.Equal(Ok, _table.Lock(two, _b, ref _levelB, Exclusive));
    }
}
