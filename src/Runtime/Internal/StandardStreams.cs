using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>Binds Python's standard streams to the host: the current call's sink, or the runtime's default sink.</summary>
internal static unsafe class StandardStreams
{
    private const int Chunk = 1 << 16;

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

        var stream = fd == 2 ? 2 : 1;
        var data = args.Get("data");
        if (Py.IsInstanceOfFlag(data, Py.TpFlagsUnicodeSubclass))
        {
            nint size;
            var utf8 = LibPython.PyUnicode_AsUTF8AndSize(data, &size);
            if (utf8 != null)
            {
                WriteUtf8(stream, new ReadOnlySpan<byte>(utf8, (int)Math.Min(size, int.MaxValue)), defaultSink);
                return Py.NewNone();
            }

            // Lone surrogates (from surrogateescape) cannot be encoded strictly: go through the codec.
            LibPython.PyErr_Clear();
            fixed (byte* encoding = "utf-8\0"u8)
            fixed (byte* errors = "surrogatepass\0"u8)
            {
                var encoded = LibPython.PyUnicode_AsEncodedString(data, encoding, errors);
                if (encoded == 0)
                {
                    return 0;
                }

                try
                {
                    WriteUtf8(stream, Py.ReadBytes(encoded), defaultSink);
                }
                finally
                {
                    LibPython.Py_DecRef(encoded);
                }
            }
        }
        else if (Py.IsInstanceOfFlag(data, Py.TpFlagsBytesSubclass))
        {
            WriteUtf8(stream, Py.ReadBytes(data), defaultSink);
        }
        else
        {
            return Py.SetError(LibPython.ExcTypeError, "write() data must be str or bytes");
        }

        return Py.NewNone();
    }

    /// <summary>Decodes and forwards UTF-8 text a bounded chunk at a time, so that one huge write never becomes one huge .NET string.</summary>
    private static void WriteUtf8(int fd, ReadOnlySpan<byte> utf8, Func<OutputSink> defaultSink)
    {
        var sink = CallContext.Current?.Output ?? defaultSink();
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(Math.Min(utf8.Length, Chunk))];
        var offset = 0;
        do
        {
            var part = utf8.Slice(offset, Math.Min(Chunk, utf8.Length - offset));
            offset += part.Length;
            var n = decoder.GetChars(part, chars, flush: offset == utf8.Length);
            sink.Write(fd, chars.AsSpan(0, n));
        }
        while (offset < utf8.Length);
    }
}
