using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

internal static unsafe partial class PosixFunctions
{
    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int ORdWr = 2;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OTrunc = 0x200;
    public const int OAppend = 0x400;
    public const int ODirectory = 0x10000;
    public const int OTmpFile = 0x400000;
    private const int MaxReadChunk = 16 * 1024 * 1024;
    private const int PyBufWritable = 1;

    /// <summary>Opens a provider file as a virtual descriptor (shared by <c>os.open</c> and the shim's <c>open</c>).</summary>
    public static int OpenPath(string path, int flags, int mode)
    {
        var resolved = ManagedPath.Resolve(B.WorkingDirectory, path);
        if (resolved == "/dev/null")
        {
            return B.Fds.Add(new NullFile());
        }

        if ((flags & OTmpFile) == OTmpFile)
        {
            // tempfile falls back to mkstemp on EISDIR.
            throw new PythonIOException(Errno.EISDIR, "Is a directory");
        }

        var access = flags & 3;
        var readable = access is ORdOnly or ORdWr;
        var writable = access is OWrOnly or ORdWr;
        var providerFlags = (readable ? PythonOpenFlags.Read : 0) | (writable ? PythonOpenFlags.Write : 0)
            | ((flags & OCreat) != 0 ? PythonOpenFlags.Create : 0)
            | ((flags & OExcl) != 0 ? PythonOpenFlags.Exclusive : 0)
            | ((flags & OTrunc) != 0 ? PythonOpenFlags.Truncate : 0)
            | ((flags & OAppend) != 0 ? PythonOpenFlags.Append : 0);
        if (writable || (providerFlags & (PythonOpenFlags.Create | PythonOpenFlags.Truncate | PythonOpenFlags.Append)) != 0)
        {
            B.CheckWrite(resolved, "writing");
        }
        else
        {
            B.CheckRead(resolved, "reading");
        }

        var (fs, inner, _) = B.FileSystem.Route(resolved);
        ManagedErrors.SetPaths(path);
        var stream = fs.Open(inner, providerFlags, mode & ~B.Umask & 0xFFF);
        ManagedErrors.SetPaths(null);
        return B.Fds.Add(new ProviderFile(stream, resolved, readable, writable, (flags & OAppend) != 0, () => fs.GetStatus(inner)));
    }

    private static nint Open(BridgeArgs args)
    {
        Arg.NoDirFd(args, "open");
        var p = Arg.Path(args, 0, "path");
        var flags = Arg.Int(args, 1, "flags");
        var mode = Arg.Int(args, 2, "mode", 0x1FF);
        return Py.NewInt(OpenPath(p.Path!, flags, mode));
    }

    private static nint Close(BridgeArgs args)
    {
        B.Fds.Close(Arg.Int(args, 0, "fd"));
        return Py.NewNone();
    }

    private static nint CloseRange(BridgeArgs args)
    {
        B.Fds.CloseRange(Arg.Int(args, 0, "fd_low"), Arg.Int(args, 1, "fd_high"));
        return Py.NewNone();
    }

    private static nint Read(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var length = Arg.Long(args, 1, "length");
        if (length < 0)
        {
            throw new PythonArgumentException("negative buffersize in read", true);
        }

        var buffer = new byte[Math.Min(length, MaxReadChunk)];
        var n = BlockingRead(file, buffer);
        return Py.NewBytes(buffer.AsSpan(0, n));
    }

    /// <summary>Reads into a writable buffer (the shim's FileIO.readinto): no intermediate bytes object.</summary>
    private static nint ReadInto(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var view = stackalloc byte[80];
        if (LibPython.PyObject_GetBuffer(args[1], (nint)view, PyBufWritable) < 0)
        {
            return 0;
        }

        try
        {
            var span = new Span<byte>(*(void**)view, (int)Math.Min(*(long*)(view + 16), MaxReadChunk));
            if (file is ProviderFile)
            {
                return Py.NewInt(file.Read(span, CancellationToken.None));
            }

            var temp = new byte[span.Length];
            var n = BlockingRead(file, temp);
            temp.AsSpan(0, n).CopyTo(span);
            return Py.NewInt(n);
        }
        finally
        {
            LibPython.PyBuffer_Release((nint)view);
        }
    }

    /// <summary>Reads, releasing the GIL when the file may block (pipes), and observing the call's cancellation.</summary>
    private static int BlockingRead(OpenFile file, byte[] buffer)
    {
        if (file is ProviderFile or StandardFile)
        {
            return file.Read(buffer, CancellationToken.None);
        }

        var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
        var state = LibPython.PyEval_SaveThread();
        try
        {
            return file.Read(buffer, token);
        }
        finally
        {
            LibPython.PyEval_RestoreThread(state);
        }
    }

    private static nint Write(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var view = stackalloc byte[80];
        if (LibPython.PyObject_GetBuffer(args[1], (nint)view, 0) < 0)
        {
            return 0;
        }

        try
        {
            var span = new ReadOnlySpan<byte>(*(void**)view, (int)*(long*)(view + 16));
            return Py.NewInt(file.Write(span));
        }
        finally
        {
            LibPython.PyBuffer_Release((nint)view);
        }
    }

    private static nint PRead(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var length = Arg.Int(args, 1, "length");
        var offset = Arg.Long(args, 2, "offset");
        var position = file.Seek(0, SeekOrigin.Current);
        try
        {
            file.Seek(offset, SeekOrigin.Begin);
            var buffer = new byte[Math.Min(length, MaxReadChunk)];
            var n = file.Read(buffer, CancellationToken.None);
            return Py.NewBytes(buffer.AsSpan(0, n));
        }
        finally
        {
            file.Seek(position, SeekOrigin.Begin);
        }
    }

    private static nint PWrite(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var data = ValueConverter.ToClr(args[1]) as byte[] ?? throw new PythonArgumentException("pwrite: a bytes-like object is required");
        var offset = Arg.Long(args, 2, "offset");
        var position = file.Seek(0, SeekOrigin.Current);
        try
        {
            file.Seek(offset, SeekOrigin.Begin);
            return Py.NewInt(file.Write(data));
        }
        finally
        {
            file.Seek(position, SeekOrigin.Begin);
        }
    }

    private static nint LSeek(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var offset = Arg.Long(args, 1, "position");
        var how = Arg.Int(args, 2, "whence");
        var origin = how switch
        {
            0 => SeekOrigin.Begin,
            1 => SeekOrigin.Current,
            2 => SeekOrigin.End,
            _ => throw new PythonIOException(Errno.EINVAL, "Invalid argument"),
        };
        return Py.NewInt(file.Seek(offset, origin));
    }

    private static nint Dup(BridgeArgs args) => Py.NewInt(B.Fds.Dup(Arg.Int(args, 0, "fd")));

    private static nint Dup2(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var fd2 = Arg.Int(args, 1, "fd2");
        var inheritable = Arg.Bool(args, 2, "inheritable", true);
        var result = B.Fds.Dup2(fd, fd2);
        B.Fds.Get(result).Inheritable = inheritable;
        return Py.NewInt(result);
    }

    private static nint Pipe(BridgeArgs args)
    {
        var pipe = new VirtualPipe();
        var r = B.Fds.Add(pipe.ReadEnd);
        var w = B.Fds.Add(pipe.WriteEnd);
        return Py.Tuple(Py.NewInt(r), Py.NewInt(w));
    }

    private static nint Pipe2(BridgeArgs args) => Pipe(args);

    private static nint IsATty(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        return Py.NewBool(B.Fds.TryGet(fd, out var file) && file!.IsTerminal);
    }

    private static nint FSync(BridgeArgs args)
    {
        var fdObject = args.Get(0, "fd");
        var fd = Py.IsInstanceOfFlag(fdObject, Py.TpFlagsLongSubclass) ? (int)LibPython.PyLong_AsLongLong(fdObject) : FileNo(fdObject);
        B.Fds.Get(fd).Flush();
        return Py.NewNone();
    }

    private static int FileNo(nint o)
    {
        var fileno = Py.GetAttr(o, "fileno");
        if (fileno == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("argument must be an int, or have a fileno() method.");
        }

        var empty = LibPython.PyTuple_New(0);
        var r = LibPython.PyObject_Call(fileno, empty, 0);
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(fileno);
        if (r == 0)
        {
            throw new PythonArgumentException("fileno() failed");
        }

        try
        {
            return (int)Arg.Long(r, "fd");
        }
        finally
        {
            LibPython.Py_DecRef(r);
        }
    }

    private static nint Sync(BridgeArgs args) => Py.NewNone();

    private static nint GetInheritable(BridgeArgs args) => Py.NewBool(B.Fds.Get(Arg.Int(args, 0, "fd")).Inheritable);

    private static nint SetInheritable(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        B.Fds.Get(fd).Inheritable = Arg.Bool(args, 1, "inheritable", false);
        CompatibilityLog.Ignored(B.Compatibility, $"setting inheritable for fd {fd} (recorded, has no effect)");
        return Py.NewNone();
    }

    private static nint GetBlocking(BridgeArgs args) => Py.NewBool(B.Fds.Get(Arg.Int(args, 0, "fd")).Blocking);

    private static nint SetBlocking(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        B.Fds.Get(fd).Blocking = Arg.Bool(args, 1, "blocking", true);
        CompatibilityLog.Ignored(B.Compatibility, $"setting blocking mode for fd {fd} (recorded, has no effect)");
        return Py.NewNone();
    }

    private static nint DeviceEncoding(BridgeArgs args) => Py.NewNone();

    private static nint GetTerminalSize(BridgeArgs args) => throw new PythonIOException(Errno.ENOTTY, "Inappropriate ioctl for device");

    private static nint TtyName(BridgeArgs args) => throw new PythonIOException(Errno.ENOTTY, "Inappropriate ioctl for device");
}
