using System.Buffers.Binary;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches every instance of <c>fcntl</c>: its constants stay CPython's, and <c>fcntl</c>, <c>flock</c>, <c>lockf</c> and
/// <c>ioctl</c> work on the runtime's virtual descriptors (never a host descriptor). <c>F_GETFL</c>/<c>F_SETFL</c> read and set
/// what <c>os.get_blocking</c>/<c>os.set_blocking</c> do (<c>O_NONBLOCK</c> makes pipe, socket-pair and eventfd reads and
/// writes fail with <c>EAGAIN</c>) and <c>O_APPEND</c>; <c>flock</c> locks conflict between the runtime's open files of one
/// file as on Linux (<see cref="FlockTable"/>); POSIX record locks (<c>lockf</c>, <c>F_SETLK</c>) belong to the one process
/// the runtime is and never conflict within it. Other commands and requests raise <c>io.UnsupportedOperation</c>.
/// </summary>
internal sealed unsafe partial class FcntlModule
{
    public const int FDupFd = 0;
    public const int FGetFd = 1;
    public const int FSetFd = 2;
    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int FGetLk = 5;
    public const int FSetLk = 6;
    public const int FSetLkW = 7;
    public const int FNotify = 1026;
    public const int FDupFdCloexec = 1030;
    public const int FSetPipeSz = 1031;
    public const int FGetPipeSz = 1032;
    public const int FdCloexec = 1;

    public const int LockSh = 1;
    public const int LockEx = 2;
    public const int LockNb = 4;
    public const int LockUn = 8;
    private const int LockMand = 32;

    private const int FRdLck = 0;
    private const int FWrLck = 1;
    private const int FUnLck = 2;

    private const int OAppend = 0x400;
    private const int ONonblock = 0x800;
    private const int OAsync = 0x2000;
    private const int ODirect = 0x4000;
    private const int OLargefile = 0x8000;
    private const int ONoatime = 0x40000;

    /// <summary>CPython's buffer for a string or bytes argument (<c>fcntl</c>, <c>ioctl</c>): longer is a <c>ValueError</c>.</summary>
    private const int ArgBufferSize = 1024;
    private const int EFault = 14;

    /// <summary>Commands Linux knows that the runtime does not emulate (owners, signals, leases, notifications, seals, hints, open-file locks).</summary>
    private static readonly HashSet<int> Unsupported = [8, 9, 10, 11, 15, 16, 36, 37, 38, 1024, 1025, 1033, 1034, 1035, 1036, 1037, 1038];

    private static delegate* unmanaged<nint, int> s_asFileDescriptor;
    private static delegate* unmanaged<nint, nuint> s_asUnsignedMask;

    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;
    private readonly FlockTable _locks = new();

    /// <summary>Initializes a new instance of the <see cref="FcntlModule"/> class, over <paramref name="backend"/>'s descriptors.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public FcntlModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    /// <summary>Gets the runtime's <c>flock</c> locks.</summary>
    public FlockTable Locks => _locks;

    public int Patch(nint module)
    {
        _patcher.Replace(module, "fcntl", "fcntl", "fd, cmd, arg=0, /", Fcntl);
        _patcher.Replace(module, "fcntl", "ioctl", "fd, request, arg=0, mutate_flag=True, /", Ioctl);
        _patcher.Replace(module, "fcntl", "flock", "fd, operation, /", Flock);
        _patcher.Replace(module, "fcntl", "lockf", "fd, cmd, len=0, start=0, whence=0, /", LockF);
        _patcher.DenyUnclassified(module, "fcntl", static n => n is "fcntl" or "ioctl" or "flock" or "lockf");
        return 0;
    }

    /// <summary>The status flags <c>F_GETFL</c> reports: the access mode, <c>O_APPEND</c>, <c>O_NONBLOCK</c>, <c>O_LARGEFILE</c> for files.</summary>
    public static int StatusFlags(OpenFile file)
    {
        var flags = file.Readable && file.Writable ? PosixFunctions.ORdWr : file.Writable ? PosixFunctions.OWrOnly : PosixFunctions.ORdOnly;
        if (file.Append)
        {
            flags |= OAppend;
        }

        if (!file.Blocking)
        {
            flags |= ONonblock;
        }

        if (file is ProviderFile or MemoryFile or DirectoryFile)
        {
            flags |= OLargefile;
        }

        return flags;
    }

    private nint Fcntl(BridgeArgs args)
    {
        var fd = Descriptor(Arg.Required(args, 0, "fd"));
        var command = Arg.Int(args, 1, "cmd");
        var (number, buffer) = Argument(args.Get("arg"), "fcntl", "fcntl requires a file or file descriptor, an integer and optionally a third integer or a string");
        var file = _backend.Fds.Get(fd);
        switch (command)
        {
            case FDupFd or FDupFdCloexec:
                // The new descriptor shares the open file, and with it the close-on-exec flag (kept per open file here).
                var lowest = (int)number;
                return lowest is < 0 or >= FdTable.MaxDescriptors
                    ? throw new PythonIOException(Errno.EINVAL, "Invalid argument")
                    : Py.NewInt(_backend.Fds.Dup(fd, lowest));
            case FGetFd:
                return Py.NewInt(file.Inheritable ? 0 : FdCloexec);
            case FSetFd:
                file.Inheritable = (number & FdCloexec) == 0;
                CompatibilityLog.CloseOnExecShared(_backend.Compatibility, fd);
                return Py.NewInt(0);
            case FGetFl:
                return buffer is null ? Py.NewInt(StatusFlags(file)) : Py.NewBytes(buffer);
            case FSetFl:
                SetStatusFlags(fd, file, (int)number);
                return buffer is null ? Py.NewInt(0) : Py.NewBytes(buffer);
            case FGetLk or FSetLk or FSetLkW:
                return RecordLock(file, command, buffer);
            case FGetPipeSz:
                return file is VirtualPipe.End end ? Py.NewInt(end.Pipe.Size) : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            case FSetPipeSz:
                if (file is not VirtualPipe.End target)
                {
                    throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
                }

                var size = target.Pipe.Resize(number);
                CompatibilityLog.PipeSizeEmulated(_backend.Compatibility, fd, size);
                return Py.NewInt(size);
            case FNotify:
                // Directory notifications arrive as signals, which the managed backend never delivers: accepted, nothing comes.
                if (file is not DirectoryFile)
                {
                    throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
                }

                CompatibilityLog.DescriptorFlagsIgnored(_backend.Compatibility, "fcntl.fcntl", "F_NOTIFY (no signal is delivered)");
                return Py.NewInt(0);
            default:
                throw Unsupported.Contains(command)
                    ? new UnsupportedOperationException($"fcntl.fcntl command {command} is not supported by the managed backend")
                    : new PythonIOException(Errno.EINVAL, "Invalid argument");
        }
    }

    /// <summary><c>F_SETFL</c>: <c>O_NONBLOCK</c> and <c>O_APPEND</c> are kept (as <c>os.set_blocking</c> keeps the first); the other changeable flags are ignored and logged.</summary>
    private void SetStatusFlags(int fd, OpenFile file, int flags)
    {
        file.Blocking = (flags & ONonblock) == 0;
        file.Append = (flags & OAppend) != 0;
        if ((flags & (OAsync | ODirect | ONoatime)) != 0)
        {
            CompatibilityLog.StatusFlagsIgnored(_backend.Compatibility, flags & (OAsync | ODirect | ONoatime), fd);
        }
    }

    /// <summary>
    /// <c>F_GETLK</c>, <c>F_SETLK</c>, <c>F_SETLKW</c> with a packed <c>struct flock</c>: checked as Linux checks it (the type,
    /// the whence, the descriptor's access for the lock's type). The runtime is one process, whose own record locks never
    /// conflict: setting succeeds, and <c>F_GETLK</c> answers <c>F_UNLCK</c>.
    /// </summary>
    private nint RecordLock(OpenFile file, int command, byte[]? buffer)
    {
        if (buffer is null)
        {
            throw new PythonIOException(EFault, "Bad address");
        }

        var copy = new byte[ArgBufferSize];
        buffer.CopyTo(copy, 0);
        var type = BinaryPrimitives.ReadInt16LittleEndian(copy);
        var whence = BinaryPrimitives.ReadInt16LittleEndian(copy.AsSpan(2));
        var start = BinaryPrimitives.ReadInt64LittleEndian(copy.AsSpan(8));
        var length = BinaryPrimitives.ReadInt64LittleEndian(copy.AsSpan(16));
        CheckRecordLock(file, type, whence, start, length, command != FGetLk);
        if (command == FGetLk)
        {
            BinaryPrimitives.WriteInt16LittleEndian(copy, FUnLck);
        }
        else
        {
            CompatibilityLog.RecordLockEmulated(_backend.Compatibility, "fcntl.fcntl", file.Path ?? "(no path)");
        }

        return Py.NewBytes(copy.AsSpan(0, buffer.Length));
    }

    /// <summary>The checks of Linux's <c>flock_to_posix_lock</c> and of the descriptor's access mode.</summary>
    private static void CheckRecordLock(OpenFile file, int type, int whence, long start, long length, bool setting)
    {
        if (type is not (FRdLck or FWrLck or FUnLck) || whence is < 0 or > 2)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var origin = whence switch
        {
            1 => file.Seekable || file is MemoryFile ? file.Seek(0, SeekOrigin.Current) : 0,
            2 => file.Seekable || file is MemoryFile ? file.Status(TimeProvider.System).Size : 0,
            _ => 0,
        };
        var first = origin + start;
        if (first < 0 || (length < 0 && first + length < 0))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (length > 0 && first > long.MaxValue - length)
        {
            throw new PythonIOException(75, "Value too large for defined data type");
        }

        if (setting && ((type == FRdLck && !file.Readable) || (type == FWrLck && !file.Writable)))
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }
    }

    /// <summary><c>lockf(fd, cmd, len=0, start=0, whence=0)</c>: CPython's mapping to a record lock, checked; see <see cref="RecordLock"/>.</summary>
    private nint LockF(BridgeArgs args)
    {
        var fd = Descriptor(Arg.Required(args, 0, "fd"));
        var command = Arg.Int(args, 1, "cmd");
        var length = Arg.Long(args, 2, "len", 0);
        var start = Arg.Long(args, 3, "start", 0);
        var whence = Arg.Int(args, 4, "whence", 0);
        var type = command == LockUn ? FUnLck
            : (command & LockSh) != 0 ? FRdLck
            : (command & LockEx) != 0 ? FWrLck
            : throw new PythonArgumentException("unrecognized lockf argument", isValueError: true);
        var file = _backend.Fds.Get(fd);
        CheckRecordLock(file, type, whence, start, length, setting: true);
        if (type != FUnLck)
        {
            CompatibilityLog.RecordLockEmulated(_backend.Compatibility, "fcntl.lockf", file.Path ?? "(no path)");
        }

        return Py.NewNone();
    }

    /// <summary>
    /// <c>flock(fd, operation)</c>: <c>LOCK_SH</c>, <c>LOCK_EX</c> (waiting without the GIL for a conflicting lock to go, or
    /// <c>BlockingIOError</c> with <c>LOCK_NB</c>), <c>LOCK_UN</c>. <c>LOCK_MAND</c> does nothing, as on Linux since 5.15.
    /// </summary>
    private nint Flock(BridgeArgs args)
    {
        var fd = Descriptor(Arg.Required(args, 0, "fd"));
        var operation = Arg.Int(args, 1, "operation");
        var file = _backend.Fds.Get(fd);
        if ((operation & LockMand) != 0)
        {
            return Py.NewNone();
        }

        var command = operation & ~LockNb;
        if (command is not (LockSh or LockEx or LockUn))
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (command == LockUn)
        {
            _locks.Unlock(file);
            return Py.NewNone();
        }

        var exclusive = command == LockEx;
        CompatibilityLog.FlockEmulated(_backend.Compatibility, fd);
        if (_locks.TryLock(file, exclusive))
        {
            return Py.NewNone();
        }

        if ((operation & LockNb) != 0)
        {
            throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
        }

        // Wait for the other open file to unlock or close, without the GIL (its holder may be another Python thread).
        var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
        var locks = _locks;
        var clock = _backend.Clock;
        file.AddReference();
        var state = LibPython.PyEval_SaveThread();
        try
        {
            Readiness.WaitUntil(() => locks.TryLock(file, exclusive), clock, null, token);
        }
        finally
        {
            LibPython.PyEval_RestoreThread(state);
            file.Release();
        }

        return Py.NewNone();
    }

    /// <summary>
    /// The optional third argument of <c>fcntl</c> and <c>ioctl</c> as CPython reads it: a str (UTF-8) or bytes of at most
    /// 1024 bytes, copied; otherwise an integer (masked to 32 bits); absent is 0.
    /// </summary>
    private static (long Number, byte[]? Buffer) Argument(nint o, string function, string typeMessage)
    {
        if (o == 0)
        {
            return (0, null);
        }

        byte[]? bytes = null;
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            bytes = System.Text.Encoding.UTF8.GetBytes(Py.ReadString(o) ?? throw new PythonErrorException());
        }
        else if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            bytes = Py.ReadBytes(o).ToArray();
        }

        if (bytes is not null)
        {
            return bytes.Length > ArgBufferSize
                ? throw new PythonArgumentException($"{function} string arg too long", isValueError: true)
                : (0, bytes);
        }

        if (!Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            var index = LibPython.PyNumber_Index(o);
            if (index == 0)
            {
                LibPython.PyErr_Clear();
                throw new PythonArgumentException(typeMessage);
            }

            LibPython.Py_DecRef(index);
        }

        return ((int)(uint)UnsignedMask(o), null);
    }

    /// <summary>An integer masked to the width of a C <c>unsigned long</c>, as CPython's bitwise converters read it.</summary>
    private static nuint UnsignedMask(nint o)
    {
        if (s_asUnsignedMask == null)
        {
            s_asUnsignedMask = (delegate* unmanaged<nint, nuint>)LibPython.Export("PyLong_AsUnsignedLongMask");
        }

        var index = Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) ? o : LibPython.PyNumber_Index(o);
        if (index == 0)
        {
            throw new PythonErrorException();
        }

        var value = s_asUnsignedMask(index);
        if (index != o)
        {
            LibPython.Py_DecRef(index);
        }

        return value == nuint.MaxValue && LibPython.PyErr_Occurred() != 0 ? throw new PythonErrorException() : value;
    }

    /// <summary>A descriptor argument as CPython's <c>fildes</c> converter reads it: an int or an object with <c>fileno()</c>, not negative.</summary>
    private static int Descriptor(nint o)
    {
        if (s_asFileDescriptor == null)
        {
            s_asFileDescriptor = (delegate* unmanaged<nint, int>)LibPython.Export("PyObject_AsFileDescriptor");
        }

        var fd = s_asFileDescriptor(o);
        return fd < 0 ? throw new PythonErrorException() : fd;
    }
}
