using System.Diagnostics;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// sqlite3 with IO=ReadOnly over a physical mount <c>/data</c> that holds databases made on the host (by the host's own
/// Python): one to read, and a copy of one that crashed mid-transaction, whose hot journal SQLite would roll back; a
/// database with a secret lies outside the mount, behind a symbolic link.
/// </summary>
public sealed class SqliteReadOnlyFixture : TestHostFixture
{
    public const string Secret = "SQLITE-SECRET-5b1d";

    public string Mount => Path.Combine(Root, "mount");

    public string Outside => Path.Combine(Root, "outside");

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:IO"] = "ReadOnly",
        ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data",
        ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = Mount,
    };

    protected override void Prepare()
    {
        Directory.CreateDirectory(Mount);
        Directory.CreateDirectory(Outside);
        File.CreateSymbolicLink(Path.Combine(Mount, "escape"), "../outside");
        var script = $$"""
            import shutil, sqlite3, sys
            mount, outside = sys.argv[1], sys.argv[2]
            c = sqlite3.connect(mount + '/ro.db')
            c.execute('create table t (x)')
            c.execute('insert into t values (42)')
            c.commit()
            c.close()
            c = sqlite3.connect(outside + '/secret.db')
            c.execute('create table s (v)')
            c.execute("insert into s values ('{{Secret}}')")
            c.commit()
            c.close()
            path = mount + '/work.db'
            c = sqlite3.connect(path, isolation_level=None)
            c.execute('create table t (x, pad)')
            c.execute('begin')
            c.executemany('insert into t values (?, ?)', [(i, 'p' * 500) for i in range(2000)])
            c.execute('commit')
            c.execute('pragma cache_size = 1')
            c.execute('begin')
            c.execute("update t set pad = 'changed'")
            shutil.copyfile(path, mount + '/crashed.db')
            shutil.copyfile(path + '-journal', mount + '/crashed.db-journal')
            c.execute('rollback')
            c.close()
            """;
        using var python = Process.Start(new ProcessStartInfo("python3", ["-c", script, Mount, Outside]) { RedirectStandardError = true })!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException("the host's python3 could not prepare the databases: " + error);
        }
    }
}

public sealed class SqliteReadOnlyTests(SqliteReadOnlyFixture fixture) : IClassFixture<SqliteReadOnlyFixture>
{
    [Fact]
    public async Task Reading_Works_WritingAnswersReadonlyDatabase_AndNoJournalAppears()
    {
        var before = HostState.SnapshotFiles([fixture.Root]);

        var read = await fixture.Python.EvalAsync("__import__('sqlite3').connect('/data/ro.db').execute('select x from t').fetchone()[0]");
        var write = await fixture.Python.ExecAsync("import sqlite3\nc = sqlite3.connect('/data/ro.db')\nc.execute('insert into t values (1)')");
        var create = await fixture.Python.ExecAsync("import sqlite3\nsqlite3.connect('/data/new.db').execute('create table t (x)')");

        Assert.Equal(42, read.GetResult<int>());
        Assert.Equal("sqlite3.OperationalError", write.PythonType);
        Assert.Equal("attempt to write a readonly database", write.PythonMessage);
        Assert.Equal("sqlite3.OperationalError", create.PythonType);
        Assert.Equal("unable to open database file: opening SQLite database for writing '/data/new.db' denied: PythonRuntime:Permissions:IO is ReadOnly", create.PythonMessage);
        Assert.Equal(before, HostState.SnapshotFiles([fixture.Root]));
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task HotJournalOnAReadOnlyMount_IsNeitherRolledBackNorDeleted()
    {
        var before = HostState.SnapshotFiles([fixture.Root]);

        var response = await fixture.Python.EvalAsync("__import__('sqlite3').connect('/data/crashed.db').execute('select count(*) from t').fetchone()[0]");

        Assert.False(response.Ok, $"read {response.Result} from a database whose hot journal could not be rolled back");
        Assert.Equal("sqlite3.OperationalError", response.PythonType);
        Assert.Equal(before, HostState.SnapshotFiles([fixture.Root]));
        Assert.True(File.Exists(Path.Combine(fixture.Mount, "crashed.db-journal")));
        await fixture.AssertAliveAsync();
    }

    [Theory]
    [InlineData("/data/escape/secret.db")]
    [InlineData("/data/../outside/secret.db")]
    [InlineData("/data/escape/../../outside/secret.db")]
    [InlineData("file:/data/escape/secret.db?mode=ro&immutable=1")]
    public async Task DatabaseOutsideTheMount_IsNotReadThroughLinksOrDotDot(string name)
    {
        var literal = Internal.PythonRuntime.PythonLiteral(name);
        var connect = await fixture.Python.EvalAsync($"__import__('sqlite3').connect({literal}, uri=True).execute('select v from s').fetchall()");
        var attach = await fixture.Python.ExecAsync($"import sqlite3\nc = sqlite3.connect(':memory:')\nc.execute('ATTACH ? AS o', ({literal},))\nprint(c.execute('select v from o.s').fetchall())", capture: true);

        Assert.Equal("sqlite3.OperationalError", connect.PythonType);
        Assert.Equal("sqlite3.OperationalError", attach.PythonType);
        Assert.DoesNotContain(SqliteReadOnlyFixture.Secret, connect.ToString() + attach.ToString(), StringComparison.Ordinal);
        await fixture.AssertAliveAsync();
    }
}
