using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>Builds <c>os.stat_result</c> objects from provider statuses. GIL held.</summary>
internal static unsafe class StatResult
{
    /// <summary>The <c>st_blksize</c> every status reports, and so the buffer size <c>open()</c> chooses (as CPython's, from <c>st_blksize</c>).</summary>
    public const int BlockSize = 4096;

    public const int SIfReg = 0x8000;
    public const int SIfDir = 0x4000;
    public const int SIfLnk = 0xA000;
    public const int SIfChr = 0x2000;
    public const int SIfIfo = 0x1000;
    public const int SIfSock = 0xC000;

    /// <summary>The <c>st_mode</c>: permission bits and the kind's type; an <see cref="PythonFileKind.Other"/> entry whose mode carries type bits (the runtime's pipes and sockets) keeps them.</summary>
    public static int ModeOf(PythonFileStatus s) => (s.Mode & 0xFFF) | s.Kind switch
    {
        PythonFileKind.Directory => SIfDir,
        PythonFileKind.SymbolicLink => SIfLnk,
        PythonFileKind.Other => (s.Mode & 0xF000) is var type && type != 0 ? type : SIfChr,
        _ => SIfReg,
    };

    public static long InodeOf(PythonFileStatus s, string? path) => InodeOf(s.Inode, path);

    public static long InodeOf(long inode, string? path)
    {
        if (inode != 0 || path is null)
        {
            return inode;
        }

        // A stable inode from the path (FNV-1a), so samefile() and the import cache behave.
        var hash = 14695981039346656037UL;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return (long)(hash & 0x7FFFFFFFFFFFFFFF);
    }

    private static delegate* unmanaged<nint, nint> s_structNew;
    private static delegate* unmanaged<nint, nint, nint, void> s_structSetItem;

    /// <summary>
    /// Builds a <paramref name="type"/> (<c>posix.stat_result</c>) from a provider status (new reference), filled in
    /// place as posix fills its own (<c>PyStructSequence_New</c>), not through the type's constructor and an argument tuple.
    /// </summary>
    public static nint Create(nint type, PythonFileStatus s, string? path, long device = 1)
    {
        if (s_structNew == null)
        {
            s_structSetItem = (delegate* unmanaged<nint, nint, nint, void>)LibPython.Export("PyStructSequence_SetItem");
            s_structNew = (delegate* unmanaged<nint, nint>)LibPython.Export("PyStructSequence_New");
        }

        if (type == 0)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "os.stat_result is not available in this runtime");
        }

        var result = s_structNew(type);
        if (result == 0)
        {
            return 0;
        }

        Span<nint> items = stackalloc nint[19];
        items[0] = Py.NewInt(ModeOf(s));
        items[1] = Py.NewInt(InodeOf(s, path));
        items[2] = Py.NewInt(device);
        items[3] = Py.NewInt(s.LinkCount);
        items[4] = Py.NewInt(State.RuntimeIdentity.UserId); // the runtime owns every file it sees
        items[5] = Py.NewInt(State.RuntimeIdentity.GroupId);
        items[6] = Py.NewInt(s.Size);
        for (var i = 0; i < 3; i++)
        {
            var ns = ToNanoseconds(i == 0 ? s.AccessTime : i == 1 ? s.ModificationTime : s.ChangeTime);
            items[7 + i] = Py.NewInt(FloorDiv(ns, 1_000_000_000));
            items[10 + i] = LibPython.PyFloat_FromDouble(ns / 1e9);
            items[13 + i] = Py.NewInt(ns);
        }

        items[16] = Py.NewInt(BlockSize);
        items[17] = Py.NewInt((s.Size + 511) / 512);
        items[18] = Py.NewInt(0);
        var failed = false;
        for (var i = 0; i < items.Length; i++)
        {
            failed |= items[i] == 0;
            s_structSetItem(result, i, items[i]); // steals; a 0 left by a failed allocation is released with the result
        }

        if (failed)
        {
            LibPython.Py_DecRef(result);
            return 0;
        }

        return result;
    }

    public static long ToNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static DateTimeOffset FromNanoseconds(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
