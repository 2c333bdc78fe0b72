using System.Runtime.InteropServices;

namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// The entry points of the SQLite library that the standard library's <c>_sqlite3</c> links (Debian's build links
/// <c>libsqlite3.so.0</c> dynamically), loaded by its soname so that the dynamic linker hands <c>_sqlite3</c> the
/// same instance, and the layouts of the C structures the runtime fills (<c>sqlite3_vfs</c> version 2,
/// <c>sqlite3_io_methods</c> version 1, LP64).
/// </summary>
internal static unsafe class SqliteNative
{
    /// <summary>The soname <c>_sqlite3</c> records as needed.</summary>
    public const string LibraryName = "libsqlite3.so.0";

    public const int Ok = 0;
    public const int Error = 1;
    public const int Perm = 3;
    public const int Busy = 5;
    public const int NoMem = 7;
    public const int ReadOnly = 8;
    public const int IOErr = 10;
    public const int NotFound = 12;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int IOErrRead = IOErr | (1 << 8);
    public const int IOErrShortRead = IOErr | (2 << 8);
    public const int IOErrWrite = IOErr | (3 << 8);
    public const int IOErrFsync = IOErr | (4 << 8);
    public const int IOErrTruncate = IOErr | (6 << 8);
    public const int IOErrFstat = IOErr | (7 << 8);
    public const int IOErrDelete = IOErr | (10 << 8);
    public const int IOErrAccess = IOErr | (13 << 8);
    public const int IOErrDeleteNoEnt = IOErr | (23 << 8);

    public const int OpenReadOnly = 0x1;
    public const int OpenReadWrite = 0x2;
    public const int OpenCreate = 0x4;
    public const int OpenDeleteOnClose = 0x8;
    public const int OpenExclusive = 0x10;
    public const int OpenMainDb = 0x100;

    public const int AccessExists = 0;
    public const int AccessReadWrite = 1;

    public const int LockNone = 0;
    public const int LockShared = 1;
    public const int LockReserved = 2;
    public const int LockPending = 3;
    public const int LockExclusive = 4;

    /// <summary><c>SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER</c>: Debian enables the two-argument <c>fts3_tokenizer()</c>, which takes a C pointer from SQL.</summary>
    public const int DbConfigEnableFts3Tokenizer = 1004;

    /// <summary><c>SQLITE_DBCONFIG_DEFENSIVE</c>: SQL may not corrupt the database file (writable_schema, page-level edits).</summary>
    public const int DbConfigDefensive = 1010;

    /// <summary><c>SQLITE_TESTCTRL_FAULT_INSTALL</c>: the callback SQLite asks before simulating a fault.</summary>
    public const int TestControlFaultInstall = 9;

    /// <summary>The fault SQLite asks about before starting a sorter thread (<c>PRAGMA threads</c>); when it is "simulated", the work runs on the calling thread.</summary>
    public const int FaultThreadCreate = 200;

    /// <summary>Size of <c>sqlite3_vfs</c> up to <c>xCurrentTimeInt64</c> (version 2).</summary>
    public const int VfsSize = 144;

    // sqlite3_vfs field offsets.
    public const int VfsSzOsFile = 4;
    public const int VfsMxPathname = 8;
    public const int VfsNext = 16;
    public const int VfsName = 24;
    public const int VfsAppData = 32;

    /// <summary>Size of <c>sqlite3_io_methods</c> version 1 (through <c>xDeviceCharacteristics</c>).</summary>
    public const int IoMethodsSize = 104;

    private static nint s_library;

    public static delegate* unmanaged<int> Initialize;
    public static delegate* unmanaged<byte*, nint> VfsFind;
    public static delegate* unmanaged<nint, int, int> VfsRegister;
    public static delegate* unmanaged<nint, int> VfsUnregister;
    public static delegate* unmanaged<nint, int> AutoExtension;
    public static delegate* unmanaged<nint, int, int, nint, int> DbConfigIntPointer;
    public static delegate* unmanaged<int, nint, int> TestControlPointer;
    public static delegate* unmanaged<nint, int, nint, nint, void> ProgressHandler;
    public static delegate* unmanaged<int, nint> Malloc;
    public static delegate* unmanaged<int> LibVersionNumber;

    /// <summary>Loads the library and its entry points; a reason when it cannot.</summary>
    public static string? Load()
    {
        if (s_library != 0)
        {
            return null;
        }

        if (!NativeLibrary.TryLoad(LibraryName, out var library))
        {
            return $"{LibraryName} cannot be loaded";
        }

        try
        {
            Initialize = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "sqlite3_initialize");
            VfsFind = (delegate* unmanaged<byte*, nint>)NativeLibrary.GetExport(library, "sqlite3_vfs_find");
            VfsRegister = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "sqlite3_vfs_register");
            VfsUnregister = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "sqlite3_vfs_unregister");
            AutoExtension = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "sqlite3_auto_extension");

            // sqlite3_db_config is variadic; on LP64 integer and pointer arguments travel as for a fixed signature.
            DbConfigIntPointer = (delegate* unmanaged<nint, int, int, nint, int>)NativeLibrary.GetExport(library, "sqlite3_db_config");
            TestControlPointer = (delegate* unmanaged<int, nint, int>)NativeLibrary.GetExport(library, "sqlite3_test_control"); // variadic, as above
            ProgressHandler = (delegate* unmanaged<nint, int, nint, nint, void>)NativeLibrary.GetExport(library, "sqlite3_progress_handler");
            Malloc = (delegate* unmanaged<int, nint>)NativeLibrary.GetExport(library, "sqlite3_malloc");
            LibVersionNumber = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "sqlite3_libversion_number");
        }
        catch (EntryPointNotFoundException e)
        {
            return $"{LibraryName} lacks an entry point: {e.Message}";
        }

        s_library = library;
        return null;
    }

    /// <summary>The name of a registered VFS.</summary>
    public static string? NameOf(nint vfs) => Marshal.PtrToStringUTF8(*(nint*)(vfs + VfsName));

    /// <summary>The registered VFSes, default first (walks the list SQLite keeps; called while nothing else uses SQLite).</summary>
    public static List<nint> Registered()
    {
        var list = new List<nint>();
        for (var vfs = VfsFind(null); vfs != 0 && list.Count < 64; vfs = *(nint*)(vfs + VfsNext))
        {
            list.Add(vfs);
        }

        return list;
    }

    /// <summary>Copies <paramref name="text"/> into a C buffer of <paramref name="size"/> bytes as NUL-terminated UTF-8; false when it does not fit.</summary>
    public static bool WriteString(string text, byte* buffer, int size)
    {
        if (size <= 0)
        {
            return false;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var fits = bytes.Length < size;
        var length = fits ? bytes.Length : size - 1;
        bytes.AsSpan(0, length).CopyTo(new Span<byte>(buffer, length));
        buffer[length] = 0;
        return fits;
    }
}
