using System.Text;
using Moq;
using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary>
/// <c>sqlite3</c> under the Managed backend: databases live in the runtime's file system (in-memory, physical and
/// user-supplied mounts), locking and journals work between the runtime's connections, and SQLite reaches no host
/// file, VFS or library by itself.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class SqliteTests(ManagedRuntimeFixture fixture) : IDisposable
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("SQLite format 3\0");
    private readonly IPythonFileSystem _previous = fixture.Mock.Target;

    public void Dispose() => fixture.Mock.Target = _previous;

    /// <summary>Python code that runs <paramref name="body"/> and returns the exception it raised as "Type: message".</summary>
    private static string Raised(string body) => "try:\n" + string.Join('\n', body.Split('\n').Select(l => "    " + l))
        + "\nexcept BaseException as e:\n    return type(e).__name__ + ': ' + str(e)\nreturn 'no error'";

    [Fact]
    public async Task MemoryDatabase_CreatesInsertsAndSelects()
    {
        var rows = await fixture.RunAsync<long>("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.execute('create table t (x integer)')
            c.executemany('insert into t values (?)', [(i,) for i in range(100)])
            return c.execute('select sum(x) from t').fetchone()[0]
            """);

        Assert.Equal(4950, rows);
    }

    [Fact]
    public async Task InMemoryMount_HoldsTheDatabaseFile()
    {
        var name = ManagedRuntimeFixture.Unique("db") + ".sqlite";

        var text = await fixture.RunAsync<string>($$"""
            import sqlite3
            with sqlite3.connect('/data/{{name}}') as c:
                c.execute('create table t (s text)')
                c.execute("insert into t values ('stored')")
            c.close()
            c = sqlite3.connect('/data/{{name}}')
            try:
                return c.execute('select s from t').fetchone()[0]
            finally:
                c.close()
            """);

        Assert.Equal("stored", text);
        Assert.Equal(Header, ReadHeader(fixture.Data, "/" + name));
    }

    [Fact]
    public async Task PhysicalMount_TheDatabaseIsAFileOnTheHost_RelativeToTheWorkingDirectory()
    {
        var name = ManagedRuntimeFixture.Unique("db") + ".sqlite";

        var count = await fixture.RunAsync<long>($$"""
            import os, sqlite3
            previous = os.getcwd()
            os.chdir('/host')
            try:
                c = sqlite3.connect('{{name}}')
                c.execute('create table t (x)')
                c.execute('insert into t values (1), (2), (3)')
                c.commit()
                c.close()
            finally:
                os.chdir(previous)
            c = sqlite3.connect('/host/{{name}}')
            try:
                return c.execute('select count(*) from t').fetchone()[0]
            finally:
                c.close()
            """);

        Assert.Equal(3, count);
        var hostFile = Path.Combine(fixture.HostDirectory, name);
        Assert.Equal(Header, File.ReadAllBytes(hostFile)[..16]);
        Assert.False(File.Exists(hostFile + "-journal"), "the rollback journal is deleted after the commit");
    }

    [Fact]
    public async Task ReadOnlyMount_ReadsButWritesAnswerAttemptToWriteAReadonlyDatabase()
    {
        var inner = new InMemoryPythonFileSystem();
        fixture.Mock.Target = inner;
        await fixture.RunAsync<object>("""
            import sqlite3
            c = sqlite3.connect('/mock/ro.db')
            c.execute('create table t (x)')
            c.execute('insert into t values (42)')
            c.commit()
            c.close()
            """);
        fixture.Mock.Target = new ReadOnlyPythonFileSystem(inner);

        var read = await fixture.RunAsync<long>("""
            import sqlite3
            c = sqlite3.connect('/mock/ro.db')
            try:
                return c.execute('select x from t').fetchone()[0]
            finally:
                c.close()
            """);
        var write = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            c = sqlite3.connect('/mock/ro.db')
            c.execute('insert into t values (1)')
            """));
        var create = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            sqlite3.connect('/mock/new.db').execute('create table t (x)')
            """));

        Assert.Equal(42, read);
        Assert.Equal("OperationalError: attempt to write a readonly database", write);
        Assert.Equal("OperationalError: unable to open database file: creating '/mock/new.db' refused: the mount is read-only", create);
        Assert.Null(inner.GetStatus("/ro.db-journal"));
        Assert.Null(inner.GetStatus("/new.db"));
    }

    [Fact]
    public async Task VacuumVacuumIntoAndBackup_WorkInsideTheMounts()
    {
        var name = ManagedRuntimeFixture.Unique("copy");

        var outcome = await fixture.RunAsync<string>($$"""
            import sqlite3
            c = sqlite3.connect('/data/{{name}}.db')
            c.execute('create table t (x)')
            c.executemany('insert into t values (?)', [(i,) for i in range(500)])
            c.execute('delete from t where x % 2 = 0')
            c.commit()
            c.execute('vacuum')
            c.execute("vacuum into '/host/{{name}}-vacuumed.db'")
            target = sqlite3.connect('/tmp/{{name}}-backup.db')
            c.backup(target)
            counts = [sqlite3.connect(p).execute('select count(*) from t').fetchone()[0]
                      for p in ('/data/{{name}}.db', '/host/{{name}}-vacuumed.db', '/tmp/{{name}}-backup.db')]
            return ' '.join(map(str, counts))
            """);

        Assert.Equal("250 250 250", outcome);
        Assert.Equal(Header, File.ReadAllBytes(Path.Combine(fixture.HostDirectory, name + "-vacuumed.db"))[..16]);
    }

    [Fact]
    public async Task TwoConnections_AWriterLocksOutAnotherWriter_ReadersStillRead()
    {
        var name = "/tmp/" + ManagedRuntimeFixture.Unique("locks") + ".db";

        var outcome = await fixture.RunAsync<string>($$"""
            import sqlite3
            a = sqlite3.connect('{{name}}', timeout=0, isolation_level=None)
            b = sqlite3.connect('{{name}}', timeout=0, isolation_level=None)
            a.execute('create table t (x)')
            a.execute('insert into t values (1)')
            a.execute('begin immediate')
            a.execute('insert into t values (2)')
            seen = b.execute('select count(*) from t').fetchone()[0]
            try:
                b.execute('insert into t values (3)')
                locked = 'no error'
            except sqlite3.OperationalError as e:
                locked = str(e)
            a.execute('commit')
            b.execute('insert into t values (3)')
            total = a.execute('select count(*) from t').fetchone()[0]
            a.close(); b.close()
            return f'{seen} {locked} {total}'
            """);

        Assert.Equal("1 database is locked 3", outcome);
    }

    [Fact]
    public async Task ExclusiveWriter_KeepsNewReadersOut_UntilItCommits()
    {
        var name = "/tmp/" + ManagedRuntimeFixture.Unique("pending") + ".db";

        var outcome = await fixture.RunAsync<string>($$"""
            import sqlite3
            a = sqlite3.connect('{{name}}', timeout=0, isolation_level=None)
            b = sqlite3.connect('{{name}}', timeout=0, isolation_level=None)
            a.execute('create table t (x)')
            a.execute('begin exclusive')
            a.execute('insert into t values (1)')
            try:
                b.execute('select count(*) from t').fetchone()
                during = 'read'
            except sqlite3.OperationalError as e:
                during = str(e)
            a.execute('commit')
            after = b.execute('select count(*) from t').fetchone()[0]
            a.close(); b.close()
            return f'{during} {after}'
            """);

        Assert.Equal("database is locked 1", outcome);
    }

    [Fact]
    public async Task Rollback_UndoesATransaction_AndAHotJournalIsRolledBackOnOpen()
    {
        var name = ManagedRuntimeFixture.Unique("journal");

        var outcome = await fixture.RunAsync<string>($$"""
            import shutil, sqlite3
            path = '/data/{{name}}.db'
            c = sqlite3.connect(path, isolation_level=None)
            c.execute('create table t (x, pad)')
            c.execute('begin')
            c.executemany('insert into t values (?, ?)', [(i, 'p' * 500) for i in range(2000)])
            c.execute('commit')
            c.execute('begin')
            c.execute('delete from t where x >= 10')
            c.execute('rollback')
            after_rollback = c.execute('select count(*) from t').fetchone()[0]

            # A crash in the middle of a transaction: the database already holds changed pages, the journal the originals.
            c.execute('pragma cache_size = 1')
            c.execute('begin')
            c.execute("update t set pad = 'changed'")
            shutil.copyfile(path, '/data/{{name}}-crashed.db')
            shutil.copyfile(path + '-journal', '/data/{{name}}-crashed.db-journal')
            c.execute('rollback')
            c.close()

            r = sqlite3.connect('/data/{{name}}-crashed.db')
            recovered = r.execute("select count(*) from t where pad = 'changed'").fetchone()[0]
            total = r.execute('select count(*) from t').fetchone()[0]
            integrity = r.execute('pragma integrity_check').fetchone()[0]
            r.close()
            import os
            return f'{after_rollback} {recovered} {total} {integrity} {os.path.exists("/data/{{name}}-crashed.db-journal")}'
            """);

        Assert.Equal("2000 0 2000 ok False", outcome);
    }

    [Fact]
    public async Task TemporaryFiles_StayInMemory_NoFileAppears()
    {
        var before = Directory.GetFileSystemEntries(fixture.HostDirectory).Length;
        var tmpBefore = fixture.Tmp.ReadDirectory("/").Count;

        var count = await fixture.RunAsync<long>("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.execute('pragma temp_store = file')
            c.execute("pragma temp_store_directory = '/host'")
            c.execute('create temp table big (x, pad)')
            c.executemany('insert into big values (?, ?)', [(i, 'y' * 200) for i in range(20000)])
            n = c.execute('select count(*) from (select * from big order by pad, x desc)').fetchone()[0]
            c.close()
            return n
            """);

        Assert.Equal(20000, count);
        Assert.Equal(before, Directory.GetFileSystemEntries(fixture.HostDirectory).Length);
        Assert.Equal(tmpBefore, fixture.Tmp.ReadDirectory("/").Count);
    }

    [Fact]
    public async Task UriNamingTheOperatingSystemsVfs_FindsNoSuchVfs()
    {
        var outcomes = await fixture.RunAsync<string>("""
            import sqlite3
            out = []
            for vfs in ('unix', 'unix-dotfile', 'unix-excl', 'unix-none'):
                try:
                    sqlite3.connect(f'file:/data/x.db?vfs={vfs}', uri=True)
                    out.append('opened')
                except sqlite3.OperationalError as e:
                    out.append(str(e))
            return '|'.join(out)
            """);

        Assert.Equal("no such vfs: unix|no such vfs: unix-dotfile|no such vfs: unix-excl|no such vfs: unix-none", outcomes);
    }

    [Fact]
    public async Task MemdbVfs_AndSerialize_WorkWithoutFiles()
    {
        var outcome = await fixture.RunAsync<string>("""
            import sqlite3
            a = sqlite3.connect('file:/shared?vfs=memdb', uri=True)
            a.execute('create table t (x)')
            a.execute('insert into t values (7)')
            a.commit()
            data = a.serialize()
            b = sqlite3.connect(':memory:')
            b.deserialize(data)
            return f"{b.execute('select x from t').fetchone()[0]} {len(data) > 0}"
            """);

        Assert.Equal("7 True", outcome);
        Assert.Null(fixture.Tmp.GetStatus("/shared"));
    }

    [Fact]
    public async Task AttachOfAHostPathOutsideTheMounts_IsRefused_AndTheHostFileIsUntouched()
    {
        var outside = Directory.CreateTempSubdirectory("pyhosting-sqlite-outside-").FullName;
        try
        {
            var hostDb = Path.Combine(outside, "host.db");
            File.WriteAllBytes(hostDb, Header);

            var attach = await fixture.RunAsync<string>(Raised($"""
                import sqlite3
                c = sqlite3.connect(':memory:')
                c.execute("ATTACH '{hostDb}' AS h")
                c.execute('create table h.t (x)')
                """));
            var create = await fixture.RunAsync<string>(Raised($"""
                import sqlite3
                c = sqlite3.connect(':memory:')
                c.execute("ATTACH '{Path.Combine(outside, "new.db")}' AS h")
                c.execute('create table h.t (x)')
                """));
            var vacuum = await fixture.RunAsync<string>(Raised($"""
                import sqlite3
                c = sqlite3.connect(':memory:')
                c.execute('create table t (x)')
                c.execute("VACUUM INTO '{Path.Combine(outside, "copy.db")}'")
                """));

            Assert.StartsWith("OperationalError: unable to open database", attach, StringComparison.Ordinal);
            Assert.StartsWith("OperationalError: unable to open database", create, StringComparison.Ordinal);
            Assert.StartsWith("OperationalError: unable to open database", vacuum, StringComparison.Ordinal);
            Assert.Equal(Header, File.ReadAllBytes(hostDb));
            Assert.Equal(["host.db"], Directory.GetFiles(outside).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task AttachInsideTheRuntime_Works_AndDotDotStaysInTheRuntimesNameSpace()
    {
        var name = ManagedRuntimeFixture.Unique("attach");

        var outcome = await fixture.RunAsync<string>($$"""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.execute("ATTACH '/host/sub/../../host/{{name}}.db' AS h")
            c.execute('create table h.t (x)')
            c.execute('insert into h.t values (5)')
            c.commit()
            try:
                c.execute("ATTACH '/host/../../../../../../etc/{{name}}.db' AS e")
                escaped = 'attached'
            except sqlite3.OperationalError as e:
                escaped = 'refused'
            return escaped + ' ' + str(c.execute('select x from h.t').fetchone()[0])
            """);

        Assert.Equal("refused 5", outcome);
        Assert.True(File.Exists(Path.Combine(fixture.HostDirectory, name + ".db")));
        Assert.False(File.Exists($"/etc/{name}.db"));
    }

    [Fact]
    public async Task LoadExtension_WithoutNativeAccess_IsRefusedNamingTheKey()
    {
        var outcome = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.enable_load_extension(True)
            c.load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')
            """));
        var sql = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.enable_load_extension(True)
            c.execute("select load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')").fetchall()
            """));

        Assert.Equal("OperationalError: loading SQLite extension '/usr/lib/x86_64-linux-gnu/libsqlite3.so.0' denied: PythonRuntime:Permissions:NativeAccess is false", outcome);
        Assert.Contains("PythonRuntime:Permissions:NativeAccess is false", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderThatThrows_BecomesOperationalError_AndTheRuntimeGoesOn()
    {
        var provider = new Mock<IPythonFileSystem>();
        provider.Setup(p => p.Open(It.IsAny<string>(), It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Throws(new InvalidOperationException("provider bug"));
        provider.Setup(p => p.GetStatus(It.IsAny<string>(), It.IsAny<bool>())).Throws(new InvalidOperationException("provider bug"));
        fixture.Mock.Target = provider.Object;

        var open = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            sqlite3.connect('/mock/x.db').execute('create table t (x)')
            """));

        var failing = new InMemoryPythonFileSystem();
        var streams = new Mock<IPythonFileSystem>();
        streams.Setup(p => p.GetStatus(It.IsAny<string>(), It.IsAny<bool>())).Returns((string p, bool f) => failing.GetStatus(p, f));
        streams.Setup(p => p.Open(It.IsAny<string>(), It.IsAny<PythonOpenFlags>(), It.IsAny<int>())).Returns(() => new FailingStream());
        fixture.Mock.Target = streams.Object;
        var write = await fixture.RunAsync<string>(Raised("""
            import sqlite3
            c = sqlite3.connect('/mock/y.db')
            c.execute('create table t (x)')
            c.commit()
            """));
        var after = await fixture.RunAsync<long>("return __import__('sqlite3').connect(':memory:').execute('select 6 * 7').fetchone()[0]");

        Assert.StartsWith("OperationalError: unable to open database file", open, StringComparison.Ordinal);
        Assert.Equal("OperationalError: disk I/O error", write);
        Assert.Equal(42, after);
    }

    [Fact]
    public async Task SorterThreads_MayBeUsedWithCreateThread()
    {
        var refused = Internal.Managed.Sqlite.SqliteVfs.SorterThreadsRefused;

        var outcome = await fixture.RunAsync<string>("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            threads = c.execute('pragma threads = 2').fetchone()[0]
            c.execute('pragma cache_size = 10')
            c.execute('create table t (x, pad)')
            c.executemany('insert into t values (?, ?)', [(i, 'z' * 100) for i in range(20000)])
            first = c.execute('select x from t order by pad, x desc').fetchone()[0]
            return f'{threads} {first}'
            """);

        Assert.Equal("2 19999", outcome);
        Assert.Equal(refused, Internal.Managed.Sqlite.SqliteVfs.SorterThreadsRefused);
    }

    [Fact]
    public async Task SharedConnectionAcrossThreads_Works()
    {
        var count = await fixture.RunAsync<long>("""
            import sqlite3, threading
            c = sqlite3.connect(':memory:', check_same_thread=False)
            c.execute('create table t (x)')
            lock = threading.Lock()
            def work(n):
                for i in range(50):
                    with lock:
                        c.execute('insert into t values (?)', (n * 100 + i,))
            threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            return c.execute('select count(distinct x) from t').fetchone()[0]
            """);

        Assert.Equal(200, count);
    }

    [Fact]
    public async Task LongQuery_EndsWhenTheCallIsCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var call = fixture.RunAsync<long>("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            return c.execute('with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n').fetchone()[0]
            """, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, await fixture.RunAsync<long>("return __import__('sqlite3').connect(':memory:').execute('select 1').fetchone()[0]"));
    }

    [Fact]
    public async Task Connections_AreDefensive_AndFts3TokenizerTakesNoPointer()
    {
        var outcome = await fixture.RunAsync<string>("""
            import sqlite3
            c = sqlite3.connect(':memory:')
            c.execute('create table t (x)')
            off = c.execute('pragma journal_mode = off').fetchone()[0]
            c.execute('pragma writable_schema = on')
            try:
                c.execute("update sqlite_master set sql = 'create table t (y)'")
                schema = 'changed'
            except sqlite3.DatabaseError as e:
                schema = 'refused'
            try:
                c.execute("select fts3_tokenizer('simple', x'4141414141414141')").fetchall()
                tokenizer = 'pointer taken'
            except sqlite3.OperationalError as e:
                tokenizer = 'refused'
            return f'{off} {schema} {tokenizer}'
            """);

        Assert.Equal("memory refused refused", outcome);
    }

    [Fact]
    public async Task Wal_WithoutSharedMemory_StaysInRollbackMode_UnlessLockingIsExclusive()
    {
        var name = "/tmp/" + ManagedRuntimeFixture.Unique("wal");

        var outcome = await fixture.RunAsync<string>($$"""
            import sqlite3
            c = sqlite3.connect('{{name}}-a.db')
            shared = c.execute('pragma journal_mode = wal').fetchone()[0]
            c.close()
            c = sqlite3.connect('{{name}}-b.db', isolation_level=None)
            c.execute('pragma locking_mode = exclusive')
            exclusive = c.execute('pragma journal_mode = wal').fetchone()[0]
            c.execute('create table t (x)')
            c.execute('insert into t values (1)')
            n = c.execute('select count(*) from t').fetchone()[0]
            c.close()
            return f'{shared} {exclusive} {n}'
            """);

        Assert.Equal("delete wal 1", outcome);
    }

    [Fact]
    public async Task SqlTime_ComesFromTheRuntimesClock()
    {
        var now = await fixture.RunAsync<string>("return __import__('sqlite3').connect(':memory:').execute(\"select datetime('now')\").fetchone()[0]");

        Assert.Equal(fixture.Clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), now);
    }

    private static byte[] ReadHeader(IPythonFileSystem fs, string path)
    {
        using var stream = fs.Open(path, PythonOpenFlags.Read);
        var header = new byte[16];
        stream.ReadExactly(header);
        return header;
    }

    /// <summary>A stream whose writes fail as a broken provider's would.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("write failed");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("write failed");
    }
}
