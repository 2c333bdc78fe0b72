using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PyHosting.Providers.Internal.Physical;

/// <summary>The Linux system calls that <see cref="LinuxRootedFileSystem"/> uses (64-bit Linux only).</summary>
internal static unsafe partial class LinuxNative
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_IN_ROOT = 0x10;

    public const uint RENAME_NOREPLACE = 1;

    public const long UTIME_OMIT = (1L << 30) - 2;

    public const uint STATX_BASIC_STATS = 0x7FF;

#pragma warning disable IDE1006 // the C names of <sys/stat.h>, so they can be looked up
    public const int S_IFMT = 0xF000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFREG = 0x8000;
    public const int S_IFLNK = 0xA000;
#pragma warning restore IDE1006

    public const byte DT_DIR = 4;
    public const byte DT_REG = 8;
    public const byte DT_LNK = 10;
    public const byte DT_UNKNOWN = 0;

    private const string LibC = "libc";
    private const long SYS_openat2 = 437;
    private const long SYS_pidfd_open = 434;

    static LinuxNative()
    {
        // "libc" alone does not load everywhere (glibc's libc.so is a linker script).
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(LinuxNative).Assembly, ResolveLibC);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set for this assembly; it decides how "libc" loads.
        }
    }

    /// <summary>Gets <c>O_DIRECTORY</c>, whose value depends on the architecture.</summary>
    public static int O_DIRECTORY { get; } = UsesArmFlags ? 0x4000 : 0x10000;

    /// <summary>Gets <c>O_NOFOLLOW</c>, whose value depends on the architecture.</summary>
    public static int O_NOFOLLOW { get; } = UsesArmFlags ? 0x8000 : 0x20000;

    /// <summary>Gets a value indicating whether the process runs on a 64-bit Linux whose flag values are known here.</summary>
    public static bool IsSupportedPlatform =>
        OperatingSystem.IsLinux() && Environment.Is64BitProcess && RuntimeInformation.ProcessArchitecture
            is Architecture.X64 or Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 or Architecture.Ppc64le or Architecture.S390x;

    private static bool UsesArmFlags => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Ppc64le;

    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>Calls <c>openat2</c>; returns the new descriptor or -1 with errno set.</summary>
    public static int OpenAt2(SafeFileHandle directory, string path, int flags, int mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = (flags & O_CREAT) != 0 ? (ulong)mode : 0, Resolve = resolve };
        return (int)Syscall(SYS_openat2, directory, path, ref how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, SafeFileHandle directory, string path, ref OpenHow how, nuint size);

    /// <summary>Calls <c>pidfd_open</c>; the new descriptor or -1 with errno set.</summary>
    public static int PidFdOpen(int pid) => (int)SyscallPid(SYS_pidfd_open, pid, 0);

    /// <summary>Calls <c>ioctl</c> with a pointer argument; 0 or -1 with errno set.</summary>
    [LibraryImport(LibC, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, byte* argument);

    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallPid(long number, int pid, uint flags);

    /// <summary>Calls <c>waitid</c> (the process status of a child); 0 or -1 with errno set.</summary>
    [LibraryImport(LibC, EntryPoint = "waitid", SetLastError = true)]
    public static partial int WaitId(int idType, int id, byte* info, int options);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(SafeFileHandle directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(LibC, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(SafeFileHandle directory, string path, uint mode);

    [LibraryImport(LibC, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(SafeFileHandle directory, string path, int flags);

    [LibraryImport(LibC, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(SafeFileHandle oldDirectory, string oldPath, SafeFileHandle newDirectory, string newPath);

    [LibraryImport(LibC, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(SafeFileHandle oldDirectory, string oldPath, SafeFileHandle newDirectory, string newPath, uint flags);

    [LibraryImport(LibC, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(SafeFileHandle oldDirectory, string oldPath, SafeFileHandle newDirectory, string newPath, int flags);

    [LibraryImport(LibC, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, SafeFileHandle directory, string path);

    [LibraryImport(LibC, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadlinkAt(SafeFileHandle directory, string path, byte* buffer, nuint size);

    [LibraryImport(LibC, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Readlink(string path, byte* buffer, nuint size);

    [LibraryImport(LibC, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(SafeFileHandle directory, string path, Timespec* times, int flags);

    [LibraryImport(LibC, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int directory, string path, Timespec* times, int flags);

    [LibraryImport(LibC, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(SafeFileHandle directory, string path, uint mode, int flags);

    [LibraryImport(LibC, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(int directory, string path, uint mode, int flags);

    [LibraryImport(LibC, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport(LibC, EntryPoint = "pread64", SetLastError = true)]
    public static partial nint PRead(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    [LibraryImport(LibC, EntryPoint = "pwrite64", SetLastError = true)]
    public static partial nint PWrite(SafeFileHandle fd, byte* buffer, nuint count, long offset);

    [LibraryImport(LibC, EntryPoint = "ftruncate64", SetLastError = true)]
    public static partial int FTruncate(SafeFileHandle fd, long length);

    [LibraryImport(LibC, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(LibC, EntryPoint = "readdir", SetLastError = true)]
    public static partial nint ReadDir(nint directory);

    [LibraryImport(LibC, EntryPoint = "dirfd", SetLastError = true)]
    public static partial int DirFd(nint directory);

    [LibraryImport(LibC, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(LibC, EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint directory);

    private static nint ResolveLibC(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibC)
        {
            return 0;
        }

        foreach (var candidate in (ReadOnlySpan<string>)["libc.so.6", "libc.so", "libc"])
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }

    /// <summary>The <c>struct open_how</c> of <c>openat2</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>A 64-bit <c>struct timespec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>A <c>statx_timestamp</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
    }

    /// <summary>The <c>struct statx</c> (256 bytes; the fields after the times are not used).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint UserId;
        [FieldOffset(24)] public uint GroupId;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(64)] public StatxTimestamp AccessTime;
        [FieldOffset(96)] public StatxTimestamp ChangeTime;
        [FieldOffset(112)] public StatxTimestamp ModificationTime;
    }
}
