using PyHosting.Testing;

namespace PyHosting.NativeExtensions.Tests;

/// <summary>
/// <c>_sqlite3</c> shuts SQLite down when its module fails to initialise, and the next start of SQLite registers the
/// operating system's VFSes again. The runtime restores its VFS table after every extension module's initialisation;
/// here ctypes (allowed by NativeAccess) plays the failed initialisation, in a process of its own.
/// </summary>
public sealed class SqliteShutdownTests
{
    [Fact]
    public async Task AfterSqliteIsShutDownAndRestarted_TheNextModuleInitialisationRestoresTheRuntimesVfs()
    {
        await using var python = await PythonProcess.StartAsync(Runtimes.Managed());
        await python.ExecAsync("""
            import ctypes, glob, sqlite3, types, _imp
            lib = ctypes.CDLL('libsqlite3.so.0')
            lib.sqlite3_vfs_find.restype = ctypes.c_void_p
            lib.sqlite3_vfs_find.argtypes = [ctypes.c_char_p]
            def vfs_names():
                out = []
                p = lib.sqlite3_vfs_find(None)
                while p:
                    out.append(ctypes.c_char_p.from_address(p + 24).value.decode())
                    p = ctypes.c_void_p.from_address(p + 16).value
                return out
            installed = vfs_names()
            lib.sqlite3_shutdown()
            lib.sqlite3_initialize()
            reset = vfs_names()
            path = glob.glob('/usr/lib/python3.11/lib-dynload/_sqlite3.*.so')[0]
            again = _imp.create_dynamic(types.SimpleNamespace(name='again._sqlite3', origin=path))
            _imp.exec_dynamic(again)
            restored = vfs_names()
            try:
                sqlite3.connect('file:x.db?vfs=unix', uri=True)
                unix = 'opened'
            except sqlite3.OperationalError as e:
                unix = str(e)
            defensive = sqlite3.connect(':memory:').execute('pragma journal_mode = off').fetchone()[0]
            """);

        var result = await python.EvalAsync("[installed, 'unix' in reset, restored, unix, defensive]");

        Assert.Equal("""[["pyhosting","memdb"],true,["pyhosting","memdb"],"no such vfs: unix","memory"]""", result.EnsureOk().Result!.ToJsonString());
    }
}
