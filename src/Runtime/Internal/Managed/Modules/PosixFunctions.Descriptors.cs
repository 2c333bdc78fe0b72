using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Descriptors the runtime makes itself (<c>eventfd</c>, <c>memfd_create</c>) and calls on an open file's space and
/// locks (<c>posix_fallocate</c>, <c>posix_fadvise</c>, <c>lockf</c>). No host descriptor is involved.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    public const int EfdSemaphore = 0x1;
    public const int EfdNonblock = 0x800;
    public const int EfdCloexec = 0x80000;

    private const int MfdCloexec = 0x1;
    private const int MfdAllowSealing = 0x2;
    private const int MfdHugetlb = 0x4;
    private const int MfdNoexecSeal = 0x8;
    private const int MfdExec = 0x10;
    private const int MfdHugeSizeMask = 0x3f << 26;
    private const int MaxMemfdName = 249;

    /// <summary><c>eventfd(initval, flags=EFD_CLOEXEC)</c>: a counter of the runtime's (<see cref="EventFdFile"/>).</summary>
    private nint EventFd(BridgeArgs args)
    {
        var initial = Unsigned(Arg.Required(args, 0, "initval"), uint.MaxValue, "C unsigned int");
        var flags = Arg.Int(args, 1, "flags", EfdCloexec);
        if ((flags & ~(EfdSemaphore | EfdNonblock | EfdCloexec)) != 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var file = new EventFdFile(initial, (flags & EfdSemaphore) != 0)
        {
            Blocking = (flags & EfdNonblock) == 0,
            Inheritable = (flags & EfdCloexec) == 0,
        };
        return Py.NewInt(_backend.Fds.Add(file));
    }

    /// <summary><c>eventfd_read(fd)</c>: one 8-byte read, as an unsigned integer.</summary>
    private nint EventFdRead(BridgeArgs args)
    {
        var file = _backend.Fds.Get(FdOf(Arg.Required(args, 0, "fd")));
        Span<byte> value = stackalloc byte[sizeof(ulong)];
        var n = ReadSpan(file, value);
        return n == sizeof(ulong)
            ? LibPython.PyLong_FromUnsignedLongLong(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value))
            : throw new PythonIOException(Errno.EINVAL, "Invalid argument");
    }

    /// <summary><c>eventfd_write(fd, value)</c>: one 8-byte write.</summary>
    private nint EventFdWrite(BridgeArgs args)
    {
        var fd = FdOf(Arg.Required(args, 0, "fd"));
        var value = Unsigned(Arg.Required(args, 1, "value"), ulong.MaxValue, "C unsigned long long");
        var file = _backend.Fds.Get(fd);
        Span<byte> data = stackalloc byte[sizeof(ulong)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(data, value);
        WriteSpan(file, data);
        return Py.NewNone();
    }

    /// <summary>
    /// <c>memfd_create(name, flags=MFD_CLOEXEC)</c>: an anonymous file in memory (<see cref="MemoryFile"/>), counted against
    /// <c>PythonRuntime:MemoryLimit</c>. It names nothing in a file system, so it needs no IO permission.
    /// </summary>
    private nint MemfdCreate(BridgeArgs args)
    {
        var name = Arg.Path(args, 0, "name");
        var flags = Arg.Int(args, 1, "flags", MfdCloexec);
        var known = MfdCloexec | MfdAllowSealing | MfdHugetlb | MfdNoexecSeal | MfdExec;
        if (System.Text.Encoding.UTF8.GetByteCount(name.Path!) > MaxMemfdName || (flags & ~(known | MfdHugeSizeMask)) != 0
            || ((flags & MfdHugeSizeMask) != 0 && (flags & MfdHugetlb) == 0))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if ((flags & (MfdHugetlb | MfdAllowSealing)) != 0)
        {
            CompatibilityLog.DescriptorFlagsIgnored(_backend.Compatibility, "memfd_create", (flags & MfdHugetlb) != 0 ? "MFD_HUGETLB" : "MFD_ALLOW_SEALING");
        }

        var file = new MemoryFile(name.Path!, _backend.Clock) { Inheritable = (flags & MfdCloexec) == 0 };
        return Py.NewInt(_backend.Fds.Add(file));
    }

    /// <summary><c>posix_fallocate(fd, offset, len)</c>: the file grows to at least <c>offset + len</c> (its space is the provider's).</summary>
    private nint PosixFallocate(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var offset = Arg.Long(args, 1, "offset");
        var length = Arg.Long(args, 2, "len");
        var file = _backend.Fds.Get(fd);
        if (offset < 0 || length <= 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (!IsRegular(file))
        {
            throw file is DirectoryFile ? new PythonIOException(Errno.EBADF, "Bad file descriptor") : new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        if (!file.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        var end = offset > long.MaxValue - length ? throw new PythonIOException(Errno.EFBIG, "File too large") : offset + length;
        if (end > EndOf(file))
        {
            file.Truncate(end);
        }

        return Py.NewNone();
    }

    /// <summary><c>posix_fadvise(fd, offset, len, advice)</c>: checked as Linux checks it; the advice itself changes nothing here.</summary>
    private nint PosixFadvise(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        Arg.Long(args, 1, "offset");
        var length = Arg.Long(args, 2, "len");
        var advice = Arg.Int(args, 3, "advice");
        var file = _backend.Fds.Get(fd);
        if (file is VirtualPipe.End or VirtualSocket or HostSocket)
        {
            throw new PythonIOException(Errno.ESPIPE, "Illegal seek");
        }

        if (length < 0 || advice is < 0 or > 5)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        return Py.NewNone();
    }

    /// <summary>
    /// <c>os.lockf(fd, command, length)</c>: POSIX record locks belong to a process, and a process's own locks never
    /// conflict with each other; the runtime is one process and other processes do not see its locks, so every command
    /// succeeds once checked (<c>F_TEST</c> finds no other owner).
    /// </summary>
    private nint LockF(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var command = Arg.Int(args, 1, "command");
        Arg.Long(args, 2, "length");
        var file = _backend.Fds.Get(fd);
        if (command is < 0 or > 3)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (command is 1 or 2 && !file.Writable)
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        CompatibilityLog.RecordLockEmulated(_backend.Compatibility, "os.lockf", file is ProviderFile { Path: { } p } ? p : "(no path)");
        return Py.NewNone();
    }

    /// <summary>
    /// An unsigned C integer argument read as CPython's converters read it: <c>__index__</c> is used, a negative value is
    /// <c>ValueError("value must be positive")</c>, one above <paramref name="max"/> <c>OverflowError</c>.
    /// </summary>
    private static ulong Unsigned(nint o, ulong max, string type)
    {
        var number = Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) ? o : LibPython.PyNumber_Index(o);
        if (number == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            var sign = LongSign(number);
            if (sign < 0)
            {
                throw new PythonArgumentException("value must be positive", isValueError: true);
            }

            var value = s_asUnsigned(number);
            if (value == ulong.MaxValue && LibPython.PyErr_Occurred() != 0)
            {
                LibPython.PyErr_Clear();
                Py.SetError(LibPython.ExcOverflowError, "int too big to convert");
                throw new PythonErrorException();
            }

            if (value > max)
            {
                Py.SetError(LibPython.ExcOverflowError, $"Python int too large for {type}");
                throw new PythonErrorException();
            }

            return value;
        }
        finally
        {
            if (number != o)
            {
                LibPython.Py_DecRef(number);
            }
        }
    }

    private static delegate* unmanaged<nint, ulong> s_asUnsigned;
    private static delegate* unmanaged<nint, int> s_longSign;

    private static int LongSign(nint number)
    {
        if (s_longSign == null)
        {
            s_asUnsigned = (delegate* unmanaged<nint, ulong>)LibPython.Export("PyLong_AsUnsignedLongLong");
            s_longSign = (delegate* unmanaged<nint, int>)LibPython.Export("_PyLong_Sign");
        }

        return s_longSign(number);
    }
}
