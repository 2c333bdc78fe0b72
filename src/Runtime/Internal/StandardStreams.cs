using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>Binds Python's standard streams to the host: the current call's sink, or the runtime's default sink.</summary>
internal static unsafe class StandardStreams
{
    /// <summary>Installs <c>sys.stdout</c>/<c>sys.stderr</c>/<c>sys.stdin</c> (GIL held).</summary>
    /// <param name="defaultSink">The sink used outside a call.</param>
    /// <param name="mapErrors">The backend's mapping of .NET exceptions to Python errors, or <see langword="null"/>.</param>
    public static void Install(Func<OutputSink> defaultSink, BridgeExceptionMapper? mapErrors = null)
    {
        var write = BridgeFunctions.Create("write", BridgeSignature.Parse("fd, data, /"), args => Write(args, defaultSink), mapErrors);
        var shim = EmbeddedPython.Run("pyhosting_stdio.py");
        var result = EmbeddedPython.Call(shim, "install", write);
        LibPython.Py_DecRef(result);
        LibPython.Py_DecRef(shim);
    }

    /// <summary>Writes text or bytes to a standard stream of the current call (fd 1 or 2).</summary>
    public static void Write(int fd, ReadOnlySpan<char> text, Func<OutputSink> defaultSink)
        => (CallContext.Current?.Output ?? defaultSink()).Write(fd, text);

    private static nint Write(BridgeArgs args, Func<OutputSink> defaultSink)
    {
        // The signature guarantees both; the descriptor must be an int (the stream's own 1 or 2).
        var fdObject = args.Get("fd");
        var fd = Py.IsInstanceOfFlag(fdObject, Py.TpFlagsLongSubclass) ? LibPython.PyLong_AsLongLong(fdObject) : -1;
        if (fd == -1)
        {
            LibPython.PyErr_Clear();
            return Py.SetError(LibPython.ExcTypeError, "write() fd must be 1 or 2");
        }

        var data = args.Get("data");
        string? text;
        if (Py.IsInstanceOfFlag(data, Py.TpFlagsUnicodeSubclass))
        {
            text = Py.ReadString(data);
            if (text is null)
            {
                return 0;
            }
        }
        else if (Py.IsInstanceOfFlag(data, Py.TpFlagsBytesSubclass))
        {
            text = System.Text.Encoding.UTF8.GetString(Py.ReadBytes(data));
        }
        else
        {
            return Py.SetError(LibPython.ExcTypeError, "write() data must be str or bytes");
        }

        Write(fd == 2 ? 2 : 1, text ?? string.Empty, defaultSink);
        return Py.NewNone();
    }
}
