using PyHosting.Internal.Managed.Sqlite;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Compatibility;

/// <summary>sqlite3 under the default permissions: it imports with no registration, <c>:memory:</c> works, files are refused naming the key.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SqliteTests(SandboxFixture fixture)
{
    [Fact]
    public async Task MemoryDatabase_WorksWithoutAnyPermission()
    {
        var result = await fixture.Runtime.EvaluateAsync<string>(
            "(lambda c: (c.execute('create table t (s)'), c.execute(\"insert into t values ('ok')\"), c.execute('select s from t').fetchone()[0])[-1])(__import__('sqlite3').connect(':memory:'))");

        Assert.Equal("ok", result);
    }

    [Fact]
    public async Task SorterThreads_AreNotStartedWithoutCreateThread_TheSortRunsOnTheCallsThread()
    {
        var before = SqliteVfs.SorterThreadsRefused;

        var first = await fixture.Runtime.EvaluateAsync<long>(
            "(lambda c: (c.execute('pragma threads = 4'), c.execute('pragma cache_size = 10'), c.execute('create table t (x, pad)'), " +
            "c.executemany('insert into t values (?, ?)', [(i, 'z' * 100) for i in range(20000)]), " +
            "c.execute('select x from t order by pad, x desc').fetchone()[0])[-1])(__import__('sqlite3').connect(':memory:'))");

        Assert.Equal(19999, first);
        Assert.True(SqliteVfs.SorterThreadsRefused > before, "the sort asked for no sorter thread: the test does not exercise the refusal");
    }

    [Fact]
    public async Task EndlessQuery_EndsAtTheExecutionTimeout_AndTheRuntimeGoesOn()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => fixture.Runtime.ExecuteAsync(
            "import sqlite3\nsqlite3.connect(':memory:').execute('with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n').fetchone()"));

        Assert.Equal(1, await fixture.Runtime.EvaluateAsync<long>("__import__('sqlite3').connect(':memory:').execute('select 1').fetchone()[0]"));
    }

    [Fact]
    public async Task FileDatabase_WithIONone_IsRefusedNamingTheKey_LoggedAsADenial_AndNoFileAppears()
    {
        var before = Directory.GetFileSystemEntries(fixture.Mount).Length;

        var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.Runtime.ExecuteAsync("import sqlite3\nsqlite3.connect('/data/new.db').execute('create table t (x)')"));

        Assert.Equal("sqlite3.OperationalError", error.PythonType);
        Assert.Equal("unable to open database file: opening SQLite database '/data/new.db' denied: PythonRuntime:Permissions:IO is None", error.PythonMessage);
        Assert.Contains(fixture.Logs, l => l.Contains("Denied sqlite3 open", StringComparison.Ordinal) && l.Contains("'/data/new.db' denied: PythonRuntime:Permissions:IO is None", StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetFileSystemEntries(fixture.Mount).Length);
    }
}
