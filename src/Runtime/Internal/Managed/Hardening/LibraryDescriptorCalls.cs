using System.Globalization;
using System.Runtime.InteropServices;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Points the interpreter library's own calls of <c>lseek</c>, <c>dup</c>, <c>fcntl(F_DUPFD…)</c> and <c>fdopen</c> at
/// the runtime's virtual descriptors.
/// </summary>
/// <remarks>
/// <para>
/// CPython's C code takes descriptor numbers from Python objects (<c>fileno()</c>) and hands them to the C library. The
/// traceback printer (<c>_Py_DisplaySourceLine</c>, behind <c>PyErr_Display</c>, <c>PyTraceBack_Print</c>, the C
/// <c>threading.excepthook</c>, <c>sys.unraisablehook</c> and the C warnings printer) opens the source file with
/// <c>io.open</c>, duplicates the number and reads the copy through <c>fdopen</c> to find a coding cookie, then seeks the
/// number back to 0 and reads the lines through the Python object. In the Managed backend the number is one of the
/// runtime's: on the host it named nothing (the seek failed and no source line was printed) or one of the host's own
/// descriptors, which was then read (a pipe blocked the call for good), rewound, and closed again (dropping the host's
/// POSIX record locks on that file).
/// </para>
/// <para>
/// Once the Managed backend runs, the library's import slots for these functions (its global offset table; the rest of
/// the process is untouched) lead here: <c>lseek</c> seeks the runtime's descriptor of that number (<c>EBADF</c> for any
/// other), and duplicating or wrapping a descriptor in a C <c>FILE</c> fails with <c>EBADF</c>. The printer then decodes the
/// source as UTF-8 (a coding cookie is not looked for) and reads its lines through the runtime's file system, as Python's
/// <c>traceback</c> module does; no host descriptor is involved. In the Managed backend nothing else in the library reaches
/// these calls: <c>posix</c>, <c>_io.FileIO</c> and <c>_posixsubprocess</c> are the runtime's own.
/// </para>
/// </remarks>
internal static unsafe class LibraryDescriptorCalls
{
    private const int RtldDiLinkMap = 2;
    private const long DtNull = 0;
    private const long DtPltRelSz = 2;
    private const long DtStrTab = 5;
    private const long DtSymTab = 6;
    private const long DtRela = 7;
    private const long DtRelaSz = 8;
    private const long DtJmpRel = 23;
    private const int FDupFd = 0;
    private const int FDupFdCloexec = 1030;
    private const int ProtRead = 1;
    private const int ProtWrite = 2;

    private static delegate* unmanaged<int, int, nint, int> s_fcntl;

    /// <summary>Gets the number of import slots redirected (0 before <see cref="Install"/> or where it is not supported).</summary>
    public static int Redirected { get; private set; }

    /// <summary>Redirects the slots of the library loaded as <paramref name="library"/> (a <c>dlopen</c> handle), once per process.</summary>
    /// <param name="library">The interpreter library.</param>
    /// <returns><see langword="null"/> when done, otherwise why it could not be (for the log).</returns>
    public static string? Install(nint library)
    {
        if (Redirected > 0)
        {
            return null;
        }

        if (!OperatingSystem.IsLinux())
        {
            return "only the Linux loader's tables are known";
        }

        var (globDat, jumpSlot) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (6u, 7u),
            Architecture.Arm64 => (1025u, 1026u),
            _ => (0u, 0u),
        };
        if (jumpSlot == 0)
        {
            return $"the relocation types of {RuntimeInformation.ProcessArchitecture} are not known";
        }

        var libc = NativeLibrary.Load("libc.so.6");
        var dlinfo = (delegate* unmanaged<nint, int, nint*, int>)NativeLibrary.GetExport(libc, "dlinfo");
        var mprotect = (delegate* unmanaged<nint, nuint, int, int>)NativeLibrary.GetExport(libc, "mprotect");
        s_fcntl = (delegate* unmanaged<int, int, nint, int>)NativeLibrary.GetExport(libc, "fcntl64");
        nint map;
        if (dlinfo(library, RtldDiLinkMap, &map) != 0 || map == 0)
        {
            return "the loader does not describe the library (dlinfo)";
        }

        // struct link_map: l_addr, l_name, l_ld, ...
        var baseAddress = *(nint*)map;
        var dynamic = *(long**)(map + (2 * sizeof(nint)));
        nint strtab = 0, symtab = 0, rela = 0, jmprel = 0;
        long relaSize = 0, pltSize = 0;
        for (var d = dynamic; d[0] != DtNull; d += 2)
        {
            switch (d[0])
            {
                case DtStrTab: strtab = Absolute(baseAddress, d[1]); break;
                case DtSymTab: symtab = Absolute(baseAddress, d[1]); break;
                case DtRela: rela = Absolute(baseAddress, d[1]); break;
                case DtRelaSz: relaSize = d[1]; break;
                case DtJmpRel: jmprel = Absolute(baseAddress, d[1]); break;
                case DtPltRelSz: pltSize = d[1]; break;
            }
        }

        if (strtab == 0 || symtab == 0)
        {
            return "the library has no symbol table";
        }

        var replacements = new Dictionary<string, nint>(StringComparer.Ordinal)
        {
            ["lseek64"] = (nint)(delegate* unmanaged<int, long, int, long>)&LSeek,
            ["lseek"] = (nint)(delegate* unmanaged<int, long, int, long>)&LSeek,
            ["fcntl64"] = (nint)(delegate* unmanaged<int, int, nint, int>)&Fcntl,
            ["fcntl"] = (nint)(delegate* unmanaged<int, int, nint, int>)&Fcntl,
            ["dup"] = (nint)(delegate* unmanaged<int, int>)&Dup,
            ["fdopen"] = (nint)(delegate* unmanaged<int, nint, nint>)&FdOpen,
        };

        var slots = new List<(nint Slot, nint Target)>();
        Collect(jmprel, pltSize, symtab, strtab, baseAddress, globDat, jumpSlot, replacements, slots);
        Collect(rela, relaSize, symtab, strtab, baseAddress, globDat, jumpSlot, replacements, slots);
        if (!slots.Any(s => s.Target == replacements["lseek64"] || s.Target == replacements["lseek"]))
        {
            return "the library imports no lseek";
        }

        var pageSize = Environment.SystemPageSize;
        var writable = WritablePages();
        foreach (var (slot, target) in slots)
        {
            var page = slot & ~(nint)(pageSize - 1);
            if (writable(page))
            {
                Volatile.Write(ref *(nint*)slot, target);
                continue;
            }

            // A read-only slot (full RELRO): opened for the one write, then closed again.
            if (mprotect(page, (nuint)pageSize, ProtRead | ProtWrite) != 0)
            {
                return "a read-only import slot could not be written (mprotect)";
            }

            Volatile.Write(ref *(nint*)slot, target);
            _ = mprotect(page, (nuint)pageSize, ProtRead);
        }

        Redirected = slots.Count;
        return null;
    }

    private static nint Absolute(nint baseAddress, long pointer)
        => pointer < baseAddress ? baseAddress + (nint)pointer : (nint)pointer; // the loader relocates these entries in place on most targets

    private static void Collect(nint table, long size, nint symtab, nint strtab, nint baseAddress, uint globDat, uint jumpSlot, Dictionary<string, nint> replacements, List<(nint, nint)> slots)
    {
        const int RelaSize = 24; // Elf64_Rela: offset, info, addend
        const int SymSize = 24; // Elf64_Sym: name (4), info, other, shndx, value, size
        if (table == 0)
        {
            return;
        }

        for (long i = 0; i + RelaSize <= size; i += RelaSize)
        {
            var entry = (ulong*)(table + (nint)i);
            var type = (uint)(entry[1] & 0xffffffff);
            var symbol = (long)(entry[1] >> 32);
            if ((type != globDat && type != jumpSlot) || symbol == 0)
            {
                continue;
            }

            var nameOffset = *(uint*)(symtab + (nint)(symbol * SymSize));
            var name = Marshal.PtrToStringUTF8(strtab + (nint)nameOffset);
            if (name is not null && replacements.TryGetValue(name, out var target))
            {
                slots.Add((baseAddress + (nint)entry[0], target));
            }
        }
    }

    /// <summary>Which pages are writable now, from <c>/proc/self/maps</c>.</summary>
    private static Func<nint, bool> WritablePages()
    {
        List<(ulong Start, ulong End)> ranges = [];
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // 7f0000000000-7f0000001000 rw-p ...
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            if (space < 0 || dash < 0 || dash > space || line.Length < space + 3 || line[space + 2] != 'w')
            {
                continue;
            }

            ranges.Add((
                ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return page => ranges.Exists(r => (ulong)page >= r.Start && (ulong)page < r.End);
    }

    private static void Fail(int errno) => Marshal.SetLastSystemError(errno);

    /// <summary><c>lseek</c> from the library: the runtime's descriptor of that number, never the host's.</summary>
    [UnmanagedCallersOnly]
    private static long LSeek(int fd, long offset, int whence)
    {
        try
        {
            if (PythonInterpreter.Backend is ManagedBackend backend && backend.Fds.TryGet(fd, out var file) && file is not null)
            {
                return PosixFunctions.Seek(file, offset, whence);
            }

            Fail(Errno.EBADF);
        }
        catch (PythonIOException e)
        {
            Fail(e.ErrorNumber > 0 ? e.ErrorNumber : Errno.EIO);
        }
        catch (Exception)
        {
            Fail(Errno.EIO);
        }

        return -1;
    }

    /// <summary><c>fcntl</c> from the library: duplicating is refused, every other command is the C library's.</summary>
    [UnmanagedCallersOnly]
    private static int Fcntl(int fd, int command, nint argument)
    {
        if (command is FDupFd or FDupFdCloexec)
        {
            Fail(Errno.EBADF);
            return -1;
        }

        return s_fcntl(fd, command, argument);
    }

    /// <summary><c>dup</c> from the library: refused.</summary>
    [UnmanagedCallersOnly]
    private static int Dup(int fd)
    {
        Fail(Errno.EBADF);
        return -1;
    }

    /// <summary><c>fdopen</c> from the library: refused.</summary>
    [UnmanagedCallersOnly]
    private static nint FdOpen(int fd, nint mode)
    {
        Fail(Errno.EBADF);
        return 0;
    }
}
