using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// The C entry points SQLite calls: the VFS methods, the per-connection set-up, the progress handler and the fault check.
/// Each catches everything (an exception must never unwind into SQLite) and finds its VFS through <c>pAppData</c>.
/// </summary>
internal sealed unsafe partial class SqliteVfs
{
    [UnmanagedCallersOnly]
    private static int XOpen(nint vfs, byte* name, nint file, int flags, int* outFlags)
    {
        *(nint*)file = 0; // no methods: SQLite does not call xClose on a file that failed to open
        SqliteVfs? self = null;
        try
        {
            self = Of(vfs);
            return self?.Open(name, file, flags, outFlags) ?? SqliteNative.CantOpen;
        }
        catch (Exception e)
        {
            self?.OnFailure("open", name == null ? null : Marshal.PtrToStringUTF8((nint)name), e);
            return SqliteNative.CantOpen;
        }
    }

    [UnmanagedCallersOnly]
    private static int XDelete(nint vfs, byte* name, int syncDirectory)
    {
        try
        {
            return Of(vfs)?.Delete(name) ?? SqliteNative.IOErrDelete;
        }
        catch (Exception)
        {
            return SqliteNative.IOErrDelete;
        }
    }

    [UnmanagedCallersOnly]
    private static int XAccess(nint vfs, byte* name, int flags, int* result)
    {
        try
        {
            return Of(vfs)?.Access(name, flags, result) ?? SqliteNative.IOErrAccess;
        }
        catch (Exception e)
        {
            Of(vfs)?.OnFailure("access", null, e);
            return SqliteNative.IOErrAccess;
        }
    }

    [UnmanagedCallersOnly]
    private static int XFullPathname(nint vfs, byte* name, int size, byte* output)
    {
        try
        {
            var self = Of(vfs);
            return self is not null && SqliteNative.WriteString(self.Resolve(name), output, size) ? SqliteNative.Ok : SqliteNative.CantOpen;
        }
        catch (Exception)
        {
            return SqliteNative.CantOpen;
        }
    }

    [UnmanagedCallersOnly]
    private static nint XDlOpen(nint vfs, byte* name)
    {
        try
        {
            return Of(vfs)?.DlOpen(name) ?? 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void XDlError(nint vfs, int size, byte* message)
    {
        try
        {
            SqliteNative.WriteString(t_lastError ?? "the extension cannot be loaded", message, size);
        }
        catch (Exception)
        {
            // Nothing to report with.
        }
    }

    [UnmanagedCallersOnly]
    private static nint XDlSym(nint vfs, nint handle, byte* symbol)
    {
        try
        {
            var name = Marshal.PtrToStringUTF8((nint)symbol);
            if (handle != 0 && name is not null && NativeLibrary.TryGetExport(handle, name, out var address))
            {
                return address;
            }

            t_lastError = $"no entry point [{name}] in the SQLite extension";
            return 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void XDlClose(nint vfs, nint handle)
    {
        try
        {
            if (handle != 0)
            {
                NativeLibrary.Free(handle);
            }
        }
        catch (Exception)
        {
            // The library stays loaded.
        }
    }

    [UnmanagedCallersOnly]
    private static int XRandomness(nint vfs, int size, byte* output)
    {
        try
        {
            RandomNumberGenerator.Fill(new Span<byte>(output, size));
            return size;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    /// <summary>Busy waits (a locked database, with a timeout) sleep on the runtime's clock, and end when the call is cancelled.</summary>
    [UnmanagedCallersOnly]
    private static int XSleep(nint vfs, int microseconds)
    {
        try
        {
            var self = Of(vfs);
            var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
            if (self is not null && microseconds > 0)
            {
                Task.Delay(TimeSpan.FromMicroseconds(microseconds), self._backend.Clock, token).GetAwaiter().GetResult();
            }

            return microseconds;
        }
        catch (Exception)
        {
            return microseconds; // cancelled: the statement's progress handler ends it
        }
    }

    [UnmanagedCallersOnly]
    private static int XCurrentTime(nint vfs, double* days)
    {
        try
        {
            *days = (Of(vfs)?.JulianMilliseconds() ?? 0) / 86400000.0;
            return SqliteNative.Ok;
        }
        catch (Exception)
        {
            return SqliteNative.Error;
        }
    }

    [UnmanagedCallersOnly]
    private static int XCurrentTimeInt64(nint vfs, long* milliseconds)
    {
        try
        {
            *milliseconds = Of(vfs)?.JulianMilliseconds() ?? 0;
            return SqliteNative.Ok;
        }
        catch (Exception)
        {
            return SqliteNative.Error;
        }
    }

    private long JulianMilliseconds() => _backend.Clock.GetUtcNow().ToUnixTimeMilliseconds() + JulianEpochToUnixMs;

    [UnmanagedCallersOnly]
    private static int XGetLastError(nint vfs, int size, byte* message)
    {
        try
        {
            if (message != null && size > 0)
            {
                SqliteNative.WriteString(t_lastError ?? string.Empty, message, size);
            }
        }
        catch (Exception)
        {
            // Nothing to report with.
        }

        return 0;
    }

    /// <summary>
    /// Runs for every connection SQLite opens (<c>sqlite3_auto_extension</c>): no pointer-taking <c>fts3_tokenizer()</c>,
    /// defensive mode (SQL cannot corrupt the file format), and a progress handler that ends a statement when its call
    /// is cancelled or times out.
    /// </summary>
    [UnmanagedCallersOnly]
    private static int OnConnection(nint db, byte** error, nint api)
    {
        try
        {
            t_connectionSeen = true;
            SqliteNative.DbConfigIntPointer(db, SqliteNative.DbConfigEnableFts3Tokenizer, 0, 0);
            SqliteNative.DbConfigIntPointer(db, SqliteNative.DbConfigDefensive, 1, 0);
            SqliteNative.ProgressHandler(db, ProgressSteps, (nint)(delegate* unmanaged<nint, int>)&OnProgress, 0);
            return SqliteNative.Ok;
        }
        catch (Exception)
        {
            return SqliteNative.Error;
        }
    }

    /// <summary>Gets how many sorter threads SQLite did not start because <c>CreateThread</c> is false.</summary>
    public static int SorterThreadsRefused => Volatile.Read(ref s_sorterThreadsRefused);

    private static int s_sorterThreadsRefused;

    [UnmanagedCallersOnly]
    private static int OnFaultCheck(int fault)
    {
        if (fault != SqliteNative.FaultThreadCreate)
        {
            return SqliteNative.Ok;
        }

        Interlocked.Increment(ref s_sorterThreadsRefused);
        return SqliteNative.Error;
    }

    [UnmanagedCallersOnly]
    private static int OnProgress(nint context)
    {
        try
        {
            if (CallContext.Current is { } call && call.CancellationToken.IsCancellationRequested)
            {
                t_interrupted = true;
                return 1;
            }

            return 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }
}
