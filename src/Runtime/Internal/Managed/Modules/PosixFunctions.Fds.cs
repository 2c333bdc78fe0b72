using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

internal sealed unsafe partial class PosixFunctions
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
    private const int MaxWriteChunk = 0x7ffff000;
    private const int PyBufWritable = 1;

    private nint Close(BridgeArgs args)
    {
        _backend.Fds.Close(Arg.Int(args, 0, "fd"));
        return Py.NewNone();
    }

    private nint CloseRange(BridgeArgs args)
    {
        _backend.Fds.CloseRange(Arg.Int(args, 0, "fd_low"), Arg.Int(args, 1, "fd_high"));
        return Py.NewNone();
    }

    private nint Read(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        return ReadBytes(file, Arg.Long(args, 1, "length"));
    }

    /// <summary><c>os.read</c> of a descriptor (shared with the managed <c>FileIO</c>): a new bytes object, or 0 with the Python error set.</summary>
    internal static nint ReadBytes(OpenFile file, long length)
    {
        if (length < 0)
        {
            throw new PythonArgumentException("negative buffersize in read", true);
        }

        // Read straight into a new bytes object, then shrink it to what was read.
        var size = (int)Math.Min(length, MaxReadChunk);
        var bytes = LibPython.PyBytes_FromStringAndSize(null, size);
        if (bytes == 0)
        {
            return 0;
        }

        int n;
        try
        {
            n = ReadSpan(file, new Span<byte>((void*)(bytes + BytesDataOffset), size));
        }
        catch
        {
            LibPython.Py_DecRef(bytes);
            throw;
        }

        return n == size ? bytes : Shrink(bytes, n);
    }

    /// <summary>Reads into <paramref name="buffer"/> (at most 16 MiB), without the GIL when the file may block.</summary>
    internal static int ReadSpan(OpenFile file, Span<byte> buffer)
    {
        buffer = buffer[..Math.Min(buffer.Length, MaxReadChunk)];
        return file is ProviderFile or MemoryFile or StandardFile or NullFile ? file.Read(buffer, CancellationToken.None) : BlockingRead(file, buffer);
    }

    /// <summary>Writes what one <c>write</c> passes on of <paramref name="data"/>, without the GIL when the file may block; returns the count written.</summary>
    internal static int WriteSpan(OpenFile file, ReadOnlySpan<byte> data)
    {
        data = data[..WriteLength(data.Length)];
        return file is VirtualPipe.End or VirtualSocket or EventFdFile or HostSocket ? BlockingWrite(file, data) : file.Write(data);
    }

    /// <summary>Offset of <c>ob_sval</c> in a <c>PyBytesObject</c> (after the object head, size and hash).</summary>
    private const int BytesDataOffset = 32;

    /// <summary>CPython's <c>_PyBytes_Resize</c>, looked up once for the process (an export of the interpreter library).</summary>
    private static delegate* unmanaged<nint*, nint, int> s_bytesResize;

    private static nint Shrink(nint bytes, int length)
    {
        if (s_bytesResize == null)
        {
            s_bytesResize = (delegate* unmanaged<nint*, nint, int>)LibPython.Export("_PyBytes_Resize");
        }

        return s_bytesResize(&bytes, length) < 0 ? 0 : bytes;
    }

    /// <summary>Reads into a writable buffer: no intermediate bytes object.</summary>
    private nint ReadInto(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        using var buffer = Arg.Buffer(args, 1, "buffer", writable: true);
        return Py.NewInt(ReadSpan(file, buffer.Span));
    }

    /// <summary>
    /// Reads from a file that may block (a pipe), without the GIL and observing the call's cancellation. A signal that
    /// interrupts the wait runs its handler, whose exception propagates; otherwise the read goes on (PEP 475).
    /// </summary>
    private static int BlockingRead(OpenFile file, Span<byte> buffer)
    {
        while (true)
        {
            var wait = SignalWait.Begin();
            var state = LibPython.PyEval_SaveThread();
            try
            {
                return file.Read(buffer, wait.Token);
            }
            catch (OperationCanceledException) when (wait.Interrupted)
            {
                // EINTR: the handler runs below, with the GIL.
            }
            finally
            {
                LibPython.PyEval_RestoreThread(state);
            }

            wait.RunHandlers();
        }
    }

    private nint Write(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        using var data = Arg.Buffer(args, 1, "data");
        return Py.NewInt(WriteSpan(file, data.Span));
    }

    /// <summary>The bytes one write passes on: as Linux's <c>write</c>, at most 0x7ffff000, so a larger buffer is a partial write.</summary>
    private static int WriteLength(long length) => (int)Math.Min(length, MaxWriteChunk);

    /// <summary>
    /// Writes to a file that may block (a pipe that is full), without the GIL: its reader may be another Python thread.
    /// A signal that interrupts the wait after part of the data was written ends the write with that count, as on
    /// POSIX (the handler runs at the next check for signals); before any, the handler runs and the write goes on.
    /// </summary>
    private static int BlockingWrite(OpenFile file, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var wait = SignalWait.Begin();
            var state = LibPython.PyEval_SaveThread();
            try
            {
                return file.Write(data);
            }
            catch (OperationCanceledException) when (wait.Interrupted)
            {
                // EINTR before any byte was written: the handler runs below, with the GIL.
            }
            finally
            {
                LibPython.PyEval_RestoreThread(state);
            }

            wait.RunHandlers();
        }
    }

    private nint PRead(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        var length = Arg.Int(args, 1, "length");
        var offset = Arg.Long(args, 2, "offset");
        if (length < 0 || offset < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

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

    private nint PWrite(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        var offset = Arg.Long(args, 2, "offset");
        if (offset < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        using var data = Arg.Buffer(args, 1, "str");
        var position = file.Seek(0, SeekOrigin.Current);
        try
        {
            file.Seek(offset, SeekOrigin.Begin);
            return Py.NewInt(file.Write(data.Span[..WriteLength(data.Span.Length)]));
        }
        finally
        {
            file.Seek(position, SeekOrigin.Begin);
        }
    }

    private nint LSeek(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        return Py.NewInt(Seek(file, Arg.Long(args, 1, "position"), Arg.Int(args, 2, "whence")));
    }

    /// <summary><c>lseek</c> of an open file (shared with the managed <c>FileIO</c>).</summary>
    internal static long Seek(OpenFile file, long offset, int whence)
    {
        var origin = whence switch
        {
            0 => SeekOrigin.Begin,
            1 => SeekOrigin.Current,
            2 => SeekOrigin.End,
            _ => throw new PythonIOException(Errno.EINVAL, "Invalid argument"),
        };
        return file.Seek(offset, origin);
    }

    private nint Dup(BridgeArgs args) => Py.NewInt(_backend.Fds.Dup(Arg.Int(args, 0, "fd")));

    private nint Dup2(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var fd2 = Arg.Int(args, 1, "fd2");
        var inheritable = Arg.Bool(args, 2, "inheritable", true);
        var result = _backend.Fds.Dup2(fd, fd2);
        _backend.Fds.Get(result).Inheritable = inheritable;
        return Py.NewInt(result);
    }

    private nint Pipe(BridgeArgs args)
    {
        var pipe = new VirtualPipe();
        var r = _backend.Fds.Add(pipe.ReadEnd);
        var w = _backend.Fds.Add(pipe.WriteEnd);
        return Py.Tuple(Py.NewInt(r), Py.NewInt(w));
    }

    private nint Pipe2(BridgeArgs args) => Pipe(args);

    /// <summary>
    /// What FileIO needs to know about a descriptor, from the table alone: 1 for a directory, 2 for a
    /// seekable regular file (never a terminal), 0 otherwise; EBADF for an unknown descriptor. Saves a
    /// provider status call on every <c>open()</c>.
    /// </summary>
    private nint FdKind(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        return Py.NewInt(file switch
        {
            DirectoryFile => 1,
            ProviderFile { Seekable: true } or MemoryFile => 2,
            _ => 0,
        });
    }

    private nint IsATty(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        return Py.NewBool(_backend.Fds.TryGet(fd, out var file) && file!.IsTerminal);
    }

    private nint FSync(BridgeArgs args)
    {
        _backend.Fds.Get(FdOf(Arg.Required(args, 0, "fd"))).Flush();
        return Py.NewNone();
    }

    /// <summary>A descriptor argument: an int, or an object with <c>fileno()</c> (as <c>fsync</c> and <c>fchdir</c> accept).</summary>
    private static int FdOf(nint o)
    {
        if (o == 0)
        {
            throw new PythonArgumentException("missing required argument 'fd' (pos 1)");
        }

        return Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) ? Arg.ToInt(Arg.Long(o, "fd"), "fd") : FileNo(o);
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
        var r = Py.Call(fileno, empty, 0, "fileno");
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(fileno);
        if (r == 0)
        {
            throw new PythonArgumentException("fileno() failed");
        }

        try
        {
            return Py.IsInstanceOfFlag(r, Py.TpFlagsLongSubclass)
                ? Arg.ToInt(Arg.Long(r, "fd"), "fd")
                : throw new PythonArgumentException("fileno() returned a non-integer");
        }
        finally
        {
            LibPython.Py_DecRef(r);
        }
    }

    private static nint Sync(BridgeArgs args) => Py.NewNone();

    private nint GetInheritable(BridgeArgs args) => Py.NewBool(_backend.Fds.Get(Arg.Int(args, 0, "fd")).Inheritable);

    private nint SetInheritable(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        _backend.Fds.Get(fd).Inheritable = Arg.Bool(args, 1, "inheritable", false);
        PosixLog.IgnoredInheritable(_backend.Compatibility, fd);
        return Py.NewNone();
    }

    private nint GetBlocking(BridgeArgs args) => Py.NewBool(_backend.Fds.Get(Arg.Int(args, 0, "fd")).Blocking);

    private nint SetBlocking(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var file = _backend.Fds.Get(fd);
        file.Blocking = Arg.Bool(args, 1, "blocking", true);
        if (file is not (VirtualPipe.End or VirtualSocket or EventFdFile or HostSocket))
        {
            // Pipes, socket pairs, eventfds and host sockets honour it (EAGAIN); a file never waits anyway.
            PosixLog.IgnoredBlocking(_backend.Compatibility, fd);
        }
        return Py.NewNone();
    }

    private static nint DeviceEncoding(BridgeArgs args) => Py.NewNone();

    private static nint GetTerminalSize(BridgeArgs args) => throw new PythonIOException(Errno.ENOTTY, "Inappropriate ioctl for device");

    private nint TtyName(BridgeArgs args) => NotATerminal(args);

    /// <summary>
    /// Terminal functions on a descriptor (<c>ttyname</c>, <c>tcgetpgrp</c>, <c>tcsetpgrp</c>): none of the runtime's
    /// descriptors is a terminal (<c>ENOTTY</c>), and a number that is not one of them is <c>EBADF</c>, as on Linux.
    /// </summary>
    private nint NotATerminal(BridgeArgs args)
    {
        var fd = FdOf(Arg.Required(args, 0, "fd"));
        throw _backend.Fds.TryGet(fd, out _)
            ? new PythonIOException(Errno.ENOTTY, "Inappropriate ioctl for device")
            : new PythonIOException(Errno.EBADF, "Bad file descriptor");
    }

    /// <summary>A descriptor function the backend does not support: <c>EBADF</c> first for a number that is not one of the runtime's, as the real call fails.</summary>
    private nint UnsupportedOnDescriptor(BridgeArgs args, string function)
    {
        var fd = FdOf(Arg.Required(args, 0, "fd"));
        if (!_backend.Fds.TryGet(fd, out _))
        {
            throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
        }

        throw new UnsupportedOperationException($"{function} is not supported by the managed backend");
    }
}
