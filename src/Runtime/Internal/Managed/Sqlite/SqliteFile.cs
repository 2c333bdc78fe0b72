using System.Runtime.InteropServices;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// One file SQLite opened through the runtime's VFS: a provider stream (a database, its journal) or, for the temporary
/// files SQLite opens without a name, a memory buffer counted against the runtime's memory limit. The C side
/// (<c>sqlite3_file</c>) holds the method table and a handle to this object; every method catches everything, since
/// an exception must never unwind into SQLite.
/// </summary>
internal sealed unsafe class SqliteFile : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SqliteVfs _vfs;
    private readonly Stream _stream;
    private readonly SqliteLockTable.Entry? _locks;
    private readonly InMemoryCharge? _charge;
    private readonly Action? _deleteOnClose;
    private long _reservedMemory;
    private int _lockLevel;

    public SqliteFile(SqliteVfs vfs, Stream stream, string? path, InMemoryCharge? charge, Action? deleteOnClose)
    {
        _vfs = vfs;
        _stream = stream;
        Path = path;
        _charge = charge;
        _deleteOnClose = deleteOnClose;
        _locks = path is null ? null : vfs.Locks.Open(path);
    }

    /// <summary>Gets the runtime path, or <see langword="null"/> for a temporary file.</summary>
    public string? Path { get; }

    /// <summary>The method table every file shares (version 1: no shared memory, no memory mapping).</summary>
    public static nint Methods { get; } = CreateMethods();

    private static nint CreateMethods()
    {
        var methods = (nint*)NativeMemory.AllocZeroed(SqliteNative.IoMethodsSize);
        *(int*)methods = 1;
        methods[1] = (nint)(delegate* unmanaged<nint, int>)&XClose;
        methods[2] = (nint)(delegate* unmanaged<nint, byte*, int, long, int>)&XRead;
        methods[3] = (nint)(delegate* unmanaged<nint, byte*, int, long, int>)&XWrite;
        methods[4] = (nint)(delegate* unmanaged<nint, long, int>)&XTruncate;
        methods[5] = (nint)(delegate* unmanaged<nint, int, int>)&XSync;
        methods[6] = (nint)(delegate* unmanaged<nint, long*, int>)&XFileSize;
        methods[7] = (nint)(delegate* unmanaged<nint, int, int>)&XLock;
        methods[8] = (nint)(delegate* unmanaged<nint, int, int>)&XUnlock;
        methods[9] = (nint)(delegate* unmanaged<nint, int*, int>)&XCheckReservedLock;
        methods[10] = (nint)(delegate* unmanaged<nint, int, nint, int>)&XFileControl;
        methods[11] = (nint)(delegate* unmanaged<nint, int>)&XSectorSize;
        methods[12] = (nint)(delegate* unmanaged<nint, int>)&XDeviceCharacteristics;
        return (nint)methods;
    }

    /// <summary>Attaches this object to SQLite's <c>sqlite3_file</c> (the method table, then a handle).</summary>
    public void Attach(nint file)
    {
        *(nint*)(file + 8) = GCHandle.ToIntPtr(GCHandle.Alloc(this));
        *(nint*)file = Methods;
    }

    private static SqliteFile? Of(nint file) => GCHandle.FromIntPtr(*(nint*)(file + 8)).Target as SqliteFile;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_locks is not null)
            {
                _vfs.Locks.Close(_locks, this);
            }

            _stream.Dispose();
            if (_reservedMemory > 0)
            {
                PythonInterpreter.ReleaseHostMemory(_reservedMemory);
                _reservedMemory = 0;
            }

            _charge?.Sync();
        }

        _deleteOnClose?.Invoke();
    }

    private int Read(Span<byte> buffer, long offset)
    {
        lock (_gate)
        {
            _stream.Position = offset;
            var total = 0;
            while (total < buffer.Length)
            {
                var read = _stream.Read(buffer[total..]);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total < buffer.Length)
            {
                // SQLite requires the rest of a short read to be zero.
                buffer[total..].Clear();
                return SqliteNative.IOErrShortRead;
            }

            return SqliteNative.Ok;
        }
    }

    private int Write(ReadOnlySpan<byte> data, long offset)
    {
        lock (_gate)
        {
            Reserve(offset + data.Length);
            _charge?.BeforeWrite(data.Length);
            if (offset > _stream.Length)
            {
                _stream.SetLength(offset);
            }

            _stream.Position = offset;
            _stream.Write(data);
            return SqliteNative.Ok;
        }
    }

    private int Truncate(long size)
    {
        lock (_gate)
        {
            _stream.SetLength(size);
            _charge?.Sync();
            return SqliteNative.Ok;
        }
    }

    /// <summary>A temporary file in memory reserves its growth against the runtime's memory limit before it grows.</summary>
    private void Reserve(long end)
    {
        if (Path is not null || end <= _reservedMemory)
        {
            return;
        }

        var growth = end - _reservedMemory;
        if (!PythonInterpreter.TryReserveHostMemory(growth))
        {
            throw new PythonIOException(Errno.ENOSPC, "No space left on device: a temporary SQLite file would pass PythonRuntime:MemoryLimit");
        }

        _reservedMemory = end;
    }

    private int Lock(int level)
    {
        if (_locks is null)
        {
            _lockLevel = level;
            return SqliteNative.Ok;
        }

        return _vfs.Locks.Lock(_locks, this, ref _lockLevel, level);
    }

    private int Unlock(int level)
    {
        if (_locks is null)
        {
            _lockLevel = level;
            return SqliteNative.Ok;
        }

        _vfs.Locks.Unlock(_locks, this, ref _lockLevel, level);
        return SqliteNative.Ok;
    }

    /// <summary>Runs a method; an exception becomes the SQLite error code <paramref name="failure"/> (logged when unexpected).</summary>
    private static int Guard<TState>(nint file, TState state, int failure, string operation, Func<SqliteFile, TState, int> body)
    {
        SqliteFile? self = null;
        try
        {
            self = Of(file);
            return self is null ? failure : body(self, state);
        }
        catch (PythonIOException full) when (full.ErrorNumber == Errno.ENOSPC)
        {
            return SqliteNative.Full;
        }
        catch (Exception e)
        {
            self?._vfs.OnFailure(operation, self.Path, e);
            return failure;
        }
    }

    [UnmanagedCallersOnly]
    private static int XClose(nint file)
    {
        try
        {
            var handle = GCHandle.FromIntPtr(*(nint*)(file + 8));
            var self = handle.Target as SqliteFile;
            handle.Free();
            *(nint*)file = 0;
            try
            {
                self?.Dispose();
            }
            catch (Exception e)
            {
                self?._vfs.OnFailure("close", self.Path, e);
            }

            return SqliteNative.Ok;
        }
        catch (Exception)
        {
            return SqliteNative.IOErr;
        }
    }

    [UnmanagedCallersOnly]
    private static int XRead(nint file, byte* buffer, int amount, long offset) =>
        Guard(file, ((nint)buffer, amount, offset), SqliteNative.IOErrRead, "read", static (f, s) => f.Read(new Span<byte>((void*)s.Item1, s.amount), s.offset));

    [UnmanagedCallersOnly]
    private static int XWrite(nint file, byte* buffer, int amount, long offset) =>
        Guard(file, ((nint)buffer, amount, offset), SqliteNative.IOErrWrite, "write", static (f, s) => f.Write(new ReadOnlySpan<byte>((void*)s.Item1, s.amount), s.offset));

    [UnmanagedCallersOnly]
    private static int XTruncate(nint file, long size) =>
        Guard(file, size, SqliteNative.IOErrTruncate, "truncate", static (f, size) => f.Truncate(size));

    [UnmanagedCallersOnly]
    private static int XSync(nint file, int flags) =>
        Guard(file, 0, SqliteNative.IOErrFsync, "sync", static (f, _) =>
        {
            lock (f._gate)
            {
                if (f._stream is FileStream fileStream)
                {
                    fileStream.Flush(flushToDisk: true);
                }
                else
                {
                    f._stream.Flush();
                }

                return SqliteNative.Ok;
            }
        });

    [UnmanagedCallersOnly]
    private static int XFileSize(nint file, long* size) =>
        Guard(file, (nint)size, SqliteNative.IOErrFstat, "size", static (f, size) =>
        {
            lock (f._gate)
            {
                *(long*)size = f._stream.Length;
                return SqliteNative.Ok;
            }
        });

    [UnmanagedCallersOnly]
    private static int XLock(nint file, int level) => Guard(file, level, SqliteNative.IOErr, "lock", static (f, level) => f.Lock(level));

    [UnmanagedCallersOnly]
    private static int XUnlock(nint file, int level) => Guard(file, level, SqliteNative.IOErr, "unlock", static (f, level) => f.Unlock(level));

    [UnmanagedCallersOnly]
    private static int XCheckReservedLock(nint file, int* result) =>
        Guard(file, (nint)result, SqliteNative.IOErr, "check lock", static (f, result) =>
        {
            *(int*)result = f._locks is not null && f._vfs.Locks.IsReserved(f._locks) ? 1 : 0;
            return SqliteNative.Ok;
        });

    /// <summary>No file control is implemented: SQLite falls back to its defaults (<c>SQLITE_NOTFOUND</c>).</summary>
    [UnmanagedCallersOnly]
    private static int XFileControl(nint file, int op, nint arg) => SqliteNative.NotFound;

    [UnmanagedCallersOnly]
    private static int XSectorSize(nint file) => 4096;

    [UnmanagedCallersOnly]
    private static int XDeviceCharacteristics(nint file) => 0;
}
