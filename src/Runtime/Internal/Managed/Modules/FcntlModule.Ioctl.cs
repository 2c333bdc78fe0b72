using System.Buffers.Binary;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary><c>fcntl.ioctl</c> over the runtime's descriptors: the few requests that mean something for them, and refusals.</summary>
internal sealed unsafe partial class FcntlModule
{
    private const int FionRead = 0x541B;
    private const int FionBio = 0x5421;
    private const int FionClex = 0x5450;
    private const int FioClex = 0x5451;

    /// <summary>
    /// <c>ioctl(fd, request, arg=0, mutate_flag=True)</c>: <c>FIONREAD</c> (bytes a pipe or socket pair holds, or a file has
    /// left), <c>FIONBIO</c>, <c>FIOCLEX</c>, <c>FIONCLEX</c>; a terminal request is <c>ENOTTY</c> (no descriptor of the
    /// runtime is a terminal); anything else <c>io.UnsupportedOperation</c> with <c>ENOTTY</c>.
    /// </summary>
    private nint Ioctl(BridgeArgs args)
    {
        var fd = Descriptor(Arg.Required(args, 0, "fd"));
        var request = (uint)UnsignedMask(Arg.Required(args, 1, "request"));
        var argument = args.Get("arg");
        var mutate = Arg.Bool(args, 3, "mutate_flag", true);
        var file = _backend.Fds.Get(fd);
        if (argument != 0 && argument != LibPython.None && !Py.IsInstanceOfFlag(argument, Py.TpFlagsLongSubclass)
            && !Py.IsInstanceOfFlag(argument, Py.TpFlagsUnicodeSubclass) && !Py.IsInstanceOfFlag(argument, Py.TpFlagsBytesSubclass))
        {
            return BufferRequest(file, request, argument, mutate);
        }

        var (_, buffer) = Argument(argument, "ioctl", "ioctl requires a file or file descriptor, an integer and optionally an integer or buffer argument");
        if (buffer is null)
        {
            return Py.NewInt(Request(file, request, null));
        }

        var copy = new byte[ArgBufferSize];
        buffer.CopyTo(copy, 0);
        Request(file, request, copy);
        return Py.NewBytes(copy.AsSpan(0, buffer.Length));
    }

    /// <summary>
    /// A request whose argument is a buffer other than str or bytes: a writable one is changed in place when
    /// <paramref name="mutate"/> (the result is the request's), otherwise its bytes after the request are returned.
    /// </summary>
    private nint BufferRequest(OpenFile file, uint request, nint argument, bool mutate)
    {
        BufferArg view;
        var writable = true;
        try
        {
            view = Arg.BufferOf(argument, writable: true);
        }
        catch (PythonErrorException)
        {
            LibPython.PyErr_Clear();
            writable = false;
            try
            {
                view = Arg.BufferOf(argument);
            }
            catch (PythonErrorException)
            {
                LibPython.PyErr_Clear();
                throw new PythonArgumentException("ioctl requires a file or file descriptor, an integer and optionally an integer or buffer argument");
            }
        }

        using (view)
        {
            if (!writable && view.Length > ArgBufferSize)
            {
                throw new PythonArgumentException("ioctl string arg too long", isValueError: true);
            }

            var data = new byte[Math.Max(view.Length, ArgBufferSize)];
            view.Span.CopyTo(data);
            var result = Request(file, request, data);
            if (writable && mutate)
            {
                data.AsSpan(0, view.Length).CopyTo(view.Span);
                return Py.NewInt(result);
            }

            return Py.NewBytes(data.AsSpan(0, view.Length));
        }
    }

    /// <summary>Serves one request; <paramref name="memory"/> is what the argument points to (null: an integer was given, a bad address for a pointer).</summary>
    private int Request(OpenFile file, uint request, byte[]? memory)
    {
        switch (request)
        {
            case FioClex or FionClex:
                file.Inheritable = request == FionClex;
                return 0;
            case FionBio:
                file.Blocking = BinaryPrimitives.ReadInt32LittleEndian(Pointer(memory)) == 0;
                return 0;
            case FionRead:
                var pending = file switch
                {
                    VirtualPipe.End end => end.Pipe.Buffered,
                    VirtualSocket socket => socket.Pending,
                    MemoryFile or ProviderFile { Seekable: true } => (int)Math.Clamp(file.Status(_backend.Clock).Size - file.Seek(0, SeekOrigin.Current), 0, int.MaxValue),
                    _ => -1,
                };
                if (pending < 0)
                {
                    throw NotEmulated(request);
                }

                BinaryPrimitives.WriteInt32LittleEndian(Pointer(memory), pending);
                return 0;
            case >= 0x5400 and <= 0x54FF:
                throw new PythonIOException(Errno.ENOTTY, "Inappropriate ioctl for device");
            default:
                throw NotEmulated(request);
        }
    }

    private static Span<byte> Pointer(byte[]? memory) => memory ?? throw new PythonIOException(EFault, "Bad address");

    /// <summary>
    /// Raises <c>io.UnsupportedOperation</c> carrying <c>ENOTTY</c>, what Linux answers for a request a descriptor does not
    /// know (code that checks the errno goes on), naming the request; logged in the compatibility category.
    /// </summary>
    private PythonErrorException NotEmulated(uint request)
    {
        var message = $"fcntl.ioctl request 0x{request:x} is not supported by the managed backend";
        CompatibilityLog.Unsupported(_backend.Compatibility, message);
        var type = ManagedErrors.UnsupportedOperationClass != 0 ? ManagedErrors.UnsupportedOperationClass : LibPython.ExcOSError;
        var tuple = Py.Tuple(Py.NewInt(Errno.ENOTTY), Py.NewString(message));
        var exception = tuple == 0 ? 0 : Py.Call(type, tuple, 0, "io.UnsupportedOperation");
        LibPython.Py_DecRef(tuple);
        if (exception != 0)
        {
            LibPython.PyErr_SetObject(type, exception);
            LibPython.Py_DecRef(exception);
        }

        return new PythonErrorException();
    }
}
