using System.Runtime.InteropServices;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// The only SQLite VFS of the process once the Managed backend has loaded <c>_sqlite3</c>: database, journal and
/// attached files are opened through the runtime's file system (mounts, providers, the working directory) under the
/// <c>IO</c> permission; temporary files live in memory, counted against the memory limit; randomness, sleeping and
/// the time come from .NET and the runtime's clock; loading extensions needs <c>NativeAccess</c>. Every other VFS
/// (<c>unix</c>, <c>unix-dotfile</c>, <c>unix-excl</c>, <c>unix-none</c>, ...) is unregistered, so that
/// <c>file:x?vfs=unix</c> finds nothing, and <c>memdb</c> (used by <c>deserialize</c>; it never touches a file) is
/// pointed at this VFS for what it delegates (temporary files, randomness, time, extensions).
/// </summary>
/// <remarks>
/// <para>
/// SQLite is one library per process, like CPython: the VFS is process-wide, and bound to the one Managed backend.
/// The callbacks run on the thread executing the statement, without the GIL (<c>_sqlite3</c> releases it), and call
/// only providers, the lock table and the logger; no Python object is touched.
/// </para>
/// <para>
/// <c>_sqlite3</c> calls <c>sqlite3_shutdown</c> when its module fails to initialise; the next
/// <c>sqlite3_initialize</c> would register the operating system's VFSes again. <see cref="Reassert"/> runs after
/// every execution of an extension module, and the state is verified before any module object is returned.
/// </para>
/// </remarks>
internal sealed unsafe partial class SqliteVfs
{
    /// <summary>The name of the runtime's VFS.</summary>
    public const string VfsName = "pyhosting";

    /// <summary>How many virtual-machine steps pass between two looks at the call's cancellation.</summary>
    private const int ProgressSteps = 1000;

    /// <summary>Milliseconds between the Julian epoch and the Unix epoch.</summary>
    private const long JulianEpochToUnixMs = 210866760000000L;

    private static readonly Lock InstallGate = new();
    private static SqliteVfs? s_installed;

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static string? t_lastError;

    [ThreadStatic]
    private static string? t_refusal;

    [ThreadStatic]
    private static bool t_interrupted;

    [ThreadStatic]
    private static string? t_lastDlOpen;

    [ThreadStatic]
    private static bool t_connectionSeen;
    #pragma warning restore IDE1006

    private readonly ManagedBackend _backend;
    private readonly nint _vfs;
    private readonly nint _name;

    private SqliteVfs(ManagedBackend backend)
    {
        _backend = backend;
        _name = Marshal.StringToCoTaskMemUTF8(VfsName);
        _vfs = (nint)NativeMemory.AllocZeroed(SqliteNative.VfsSize);
        var p = (nint*)_vfs;
        *(int*)_vfs = 2;
        *(int*)(_vfs + SqliteNative.VfsSzOsFile) = 16;
        *(int*)(_vfs + SqliteNative.VfsMxPathname) = 1024;
        p[3] = _name;
        p[4] = GCHandle.ToIntPtr(GCHandle.Alloc(this));
        p[5] = (nint)(delegate* unmanaged<nint, byte*, nint, int, int*, int>)&XOpen;
        p[6] = (nint)(delegate* unmanaged<nint, byte*, int, int>)&XDelete;
        p[7] = (nint)(delegate* unmanaged<nint, byte*, int, int*, int>)&XAccess;
        p[8] = (nint)(delegate* unmanaged<nint, byte*, int, byte*, int>)&XFullPathname;
        p[9] = (nint)(delegate* unmanaged<nint, byte*, nint>)&XDlOpen;
        p[10] = (nint)(delegate* unmanaged<nint, int, byte*, void>)&XDlError;
        p[11] = (nint)(delegate* unmanaged<nint, nint, byte*, nint>)&XDlSym;
        p[12] = (nint)(delegate* unmanaged<nint, nint, void>)&XDlClose;
        p[13] = (nint)(delegate* unmanaged<nint, int, byte*, int>)&XRandomness;
        p[14] = (nint)(delegate* unmanaged<nint, int, int>)&XSleep;
        p[15] = (nint)(delegate* unmanaged<nint, double*, int>)&XCurrentTime;
        p[16] = (nint)(delegate* unmanaged<nint, int, byte*, int>)&XGetLastError;
        p[17] = (nint)(delegate* unmanaged<nint, long*, int>)&XCurrentTimeInt64;
    }

    /// <summary>Gets the locks between the runtime's connections.</summary>
    public SqliteLockTable Locks { get; } = new();

    /// <summary>Gets the installed VFS, if <c>_sqlite3</c> was loaded.</summary>
    public static SqliteVfs? Installed => Volatile.Read(ref s_installed);

    /// <summary>
    /// Loads the SQLite library <c>_sqlite3</c> links, makes this VFS the only one, and checks it; the reason when
    /// that cannot be done (then <c>_sqlite3</c> must not load).
    /// </summary>
    public static string? Install(ManagedBackend backend)
    {
        lock (InstallGate)
        {
            if (s_installed is { } installed)
            {
                return installed._backend == backend ? installed.Lockdown() : "SQLite is already bound to another runtime of this process";
            }

            var failure = SqliteNative.Load();
            if (failure is not null)
            {
                return failure;
            }

            var vfs = new SqliteVfs(backend);
            failure = vfs.Lockdown();
            if (failure is null)
            {
                Volatile.Write(ref s_installed, vfs);
            }

            return failure;
        }
    }

    /// <summary>Restores the VFS table if something reset SQLite (see the remarks); the reason when it cannot be restored.</summary>
    public static string? Reassert()
    {
        lock (InstallGate)
        {
            return s_installed?.Lockdown();
        }
    }

    private string? Lockdown()
    {
        var rc = SqliteNative.Initialize();
        if (rc != SqliteNative.Ok)
        {
            return $"sqlite3_initialize failed ({rc})";
        }

        var current = SqliteNative.Registered();
        if (current.Count == 2 && current[0] == _vfs && IsTamedMemdb(current[1]))
        {
            return null; // the common case: nothing to do
        }

        rc = SqliteNative.VfsRegister(_vfs, 1);
        if (rc != SqliteNative.Ok)
        {
            return $"sqlite3_vfs_register failed ({rc})";
        }

        foreach (var vfs in SqliteNative.Registered())
        {
            if (vfs == _vfs)
            {
                continue;
            }

            if (SqliteNative.NameOf(vfs) == "memdb")
            {
                // memdb keeps its files in memory and delegates the rest to the VFS it found at start-up: this one from now on.
                *(nint*)(vfs + SqliteNative.VfsAppData) = _vfs;
                var size = (int*)(vfs + SqliteNative.VfsSzOsFile);
                *size = Math.Max(*size, 16);
                continue;
            }

            SqliteNative.VfsUnregister(vfs);
        }

        // PRAGMA threads sets a connection's limit itself: without CreateThread, SQLite is told that starting a sorter
        // thread fails, and runs the sorter's work on the statement's own thread.
        SqliteNative.TestControlPointer(SqliteNative.TestControlFaultInstall, _backend.Permissions.CreateThread ? 0 : (nint)(delegate* unmanaged<int, int>)&OnFaultCheck);

        rc = SqliteNative.AutoExtension((nint)(delegate* unmanaged<nint, byte**, nint, int>)&OnConnection);
        if (rc != SqliteNative.Ok)
        {
            return $"sqlite3_auto_extension failed ({rc})";
        }

        var left = SqliteNative.Registered();
        if (left.Count == 0 || left[0] != _vfs || left.Skip(1).Any(v => !IsTamedMemdb(v)))
        {
            return "another SQLite VFS stays registered: " + string.Join(", ", left.Select(SqliteNative.NameOf));
        }

        return null;
    }

    private bool IsTamedMemdb(nint vfs) => SqliteNative.NameOf(vfs) == "memdb" && *(nint*)(vfs + SqliteNative.VfsAppData) == _vfs;

    /// <summary>Returns and forgets the last refusal of a file operation on this thread (the thread that ran the statement).</summary>
    public static string? TakeRefusal()
    {
        var refusal = t_refusal;
        t_refusal = null;
        return refusal;
    }

    /// <summary>Returns and forgets whether a connection was opened on this thread by the SQLite library the runtime configured.</summary>
    public static bool TakeConnectionSeen()
    {
        var seen = t_connectionSeen;
        t_connectionSeen = false;
        return seen;
    }

    /// <summary>Returns and forgets whether the progress handler interrupted a statement on this thread because its call was cancelled.</summary>
    public static bool TakeInterrupted()
    {
        var interrupted = t_interrupted;
        t_interrupted = false;
        return interrupted;
    }

    private static SqliteVfs? Of(nint vfs) => GCHandle.FromIntPtr(*(nint*)(vfs + SqliteNative.VfsAppData)).Target as SqliteVfs;

    /// <summary>Logs a failed operation: a refusal as a denial naming the key, a provider fault as such; remembered for <c>xGetLastError</c>.</summary>
    internal void OnFailure(string operation, string? path, Exception e)
    {
        t_lastError = e.Message;
        switch (e)
        {
            case PermissionDeniedException { IsProbe: true }:
                break;
            case PermissionDeniedException denied:
                t_refusal = denied.Message;
                _backend.OnPermissionDenied("sqlite3 " + operation, denied.PermissionKey, denied.Message);
                break;
            case FileNotFoundException or DirectoryNotFoundException or PythonIOException or UnauthorizedAccessException:
                break;
            default:
                Log.ProviderFault(_backend.Logger, $"sqlite3 {operation} '{path}'", e);
                break;
        }
    }

    private string Resolve(byte* name) => ManagedPath.Resolve(_backend.WorkingDirectory, Marshal.PtrToStringUTF8((nint)name) ?? string.Empty);

    private int Open(byte* name, nint file, int flags, int* outFlags)
    {
        if (name == null)
        {
            // A temporary file (sort runs, temporary tables, statement journals): in memory, whatever temp_store_directory says.
            new SqliteFile(this, new MemoryStream(), null, null, null).Attach(file);
            if (outFlags != null)
            {
                *outFlags = flags;
            }

            return SqliteNative.Ok;
        }

        var path = Resolve(name);
        var (fs, inner, _) = _backend.FileSystem.Route(path);
        var readWrite = (flags & SqliteNative.OpenReadWrite) != 0;
        Stream stream;
        var opened = flags;
        try
        {
            stream = readWrite ? OpenForWriting(fs, inner, path, flags) : OpenForReading(fs, inner, path);
        }
        catch (Exception e) when (readWrite && (flags & SqliteNative.OpenExclusive) == 0 && IsWriteRefusal(e))
        {
            // As SQLite's own VFS does when the file may not be written: open it read-only, and every write answers SQLITE_READONLY.
            t_lastError = e.Message;
            try
            {
                stream = OpenForReading(fs, inner, path);
            }
            catch (Exception read) when (read is FileNotFoundException or DirectoryNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT })
            {
                // A new file: the refusal to write is the reason.
                OnFailure("open for writing", path, e);
                if (e is PythonIOException { ErrorNumber: Errno.EROFS })
                {
                    t_refusal = $"creating '{path}' refused: the mount is read-only";
                }

                throw;
            }

            opened = (flags & ~(SqliteNative.OpenReadWrite | SqliteNative.OpenCreate)) | SqliteNative.OpenReadOnly;
            readWrite = false;
        }

        Action? delete = (flags & SqliteNative.OpenDeleteOnClose) != 0 ? () => DeleteQuietly(fs, inner) : null;
        var charge = readWrite && _backend.FileSystem.Charge.Active ? _backend.FileSystem.Charge : null;
        new SqliteFile(this, stream, path, charge, delete).Attach(file);
        if (outFlags != null)
        {
            *outFlags = opened;
        }

        return SqliteNative.Ok;
    }

    private Stream OpenForWriting(IPythonFileSystem fs, string inner, string path, int flags)
    {
        _backend.CheckWrite(path, "opening SQLite database for writing");
        var mode = PythonOpenFlags.ReadWrite
            | ((flags & SqliteNative.OpenCreate) != 0 ? PythonOpenFlags.Create : 0)
            | ((flags & SqliteNative.OpenExclusive) != 0 ? PythonOpenFlags.Exclusive : 0);
        return fs.Open(inner, mode, 0x1A4 & ~_backend.Umask);
    }

    private Stream OpenForReading(IPythonFileSystem fs, string inner, string path)
    {
        _backend.CheckRead(path, "opening SQLite database");
        return fs.Open(inner, PythonOpenFlags.Read);
    }

    private static bool IsWriteRefusal(Exception e) =>
        e is PermissionDeniedException or UnauthorizedAccessException or PythonIOException { ErrorNumber: Errno.EROFS or Errno.EACCES or Errno.EPERM };

    private void DeleteQuietly(IPythonFileSystem fs, string inner)
    {
        try
        {
            fs.DeleteFile(inner);
        }
        catch (Exception e)
        {
            OnFailure("delete on close", inner, e);
        }
    }

    private int Delete(byte* name)
    {
        var path = Resolve(name);
        try
        {
            _backend.CheckWrite(path, "deleting SQLite file");
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            fs.DeleteFile(inner);
            _backend.FileSystem.Charge.Sync();
            return SqliteNative.Ok;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT })
        {
            return SqliteNative.IOErrDeleteNoEnt;
        }
        catch (Exception e)
        {
            OnFailure("delete", path, e);
            return SqliteNative.IOErrDelete;
        }
    }

    private int Access(byte* name, int flags, int* result)
    {
        *result = 0;
        var path = Resolve(name);
        try
        {
            _backend.CheckMetadata(path, "inspecting SQLite file");
            var (fs, inner, isSystem) = _backend.FileSystem.Route(path);
            var status = fs.GetStatus(inner);
            if (status is null)
            {
                return SqliteNative.Ok;
            }

            var exists = status.Kind != PythonFileKind.File || status.Size > 0;
            *result = flags == SqliteNative.AccessReadWrite
                ? (exists && _backend.Permissions.IO == IOAccess.All && !isSystem ? 1 : 0)
                : (exists ? 1 : 0);
            return SqliteNative.Ok;
        }
        catch (Exception e) when (e is PermissionDeniedException or FileNotFoundException or DirectoryNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT or Errno.ENOTDIR })
        {
            OnFailure("access", path, e);
            return SqliteNative.Ok;
        }
    }

    private nint DlOpen(byte* name)
    {
        var file = Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
        try
        {
            // SQLite tries the name as given, then with ".so" appended: the refusal names what the caller gave.
            var given = t_lastDlOpen is { } first && file == first + ".so" ? first : file;
            t_lastDlOpen = file;
            _backend.CheckNativeAccess($"loading SQLite extension '{given}'");
            var path = ManagedPath.Resolve(_backend.WorkingDirectory, file);
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            var host = fs.GetHostPath(inner);
            if (host is null)
            {
                t_lastError = $"SQLite extension '{given}' cannot be loaded: it has no host path (native code loads only from a directory mounted from the host)";
                return 0;
            }

            if (NativeLibrary.TryLoad(host, out var handle))
            {
                return handle;
            }

            t_lastError = $"SQLite extension '{given}' cannot be loaded";
            return 0;
        }
        catch (Exception e)
        {
            OnFailure("load_extension", file, e);
            return 0;
        }
    }
}
