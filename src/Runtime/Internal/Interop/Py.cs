using System.Runtime.CompilerServices;
using System.Text;

namespace PyHosting.Internal.Interop;

/// <summary>Small helpers over <see cref="LibPython"/>. Every method requires the GIL.</summary>
internal static unsafe class Py
{
    private const int ObTypeOffset = 8;
    private const int TpFlagsOffset = 168;
    private const int TpNameOffset = 24;

    public const ulong TpFlagsLongSubclass = 1UL << 24;
    public const ulong TpFlagsListSubclass = 1UL << 25;
    public const ulong TpFlagsTupleSubclass = 1UL << 26;
    public const ulong TpFlagsBytesSubclass = 1UL << 27;
    public const ulong TpFlagsUnicodeSubclass = 1UL << 28;
    public const ulong TpFlagsDictSubclass = 1UL << 29;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint TypeOf(nint o) => *(nint*)(o + ObTypeOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TypeFlags(nint type) => *(ulong*)(type + TpFlagsOffset);

    public static string TypeName(nint o) => new((sbyte*)*(nint*)(TypeOf(o) + TpNameOffset));

    public static bool IsInstanceOfFlag(nint o, ulong flag) => (TypeFlags(TypeOf(o)) & flag) != 0;

    /// <summary>Whether <paramref name="o"/> is an exception class (a type that derives from <c>BaseException</c>).</summary>
    public static bool IsExceptionClass(nint o) => o != 0 && IsInstanceOfFlag(o, 1UL << 31) && (TypeFlags(o) & (1UL << 30)) != 0;

    /// <summary>
    /// Reads the <paramref name="index"/>-th object pointer of a module's C state (borrowed), or 0: what the module's C
    /// code itself uses, unlike its attributes, which Python code can replace.
    /// </summary>
    public static nint ModuleStateItem(nint module, int index)
    {
        var state = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyModule_GetState"))(module);
        if (state == 0)
        {
            LibPython.PyErr_Clear();
            return 0;
        }

        return ((nint*)state)[index];
    }

    public static bool IsNone(nint o) => o == LibPython.None;

    public static nint NewNone()
    {
        LibPython.Py_IncRef(LibPython.None);
        return LibPython.None;
    }

    public static nint NewBool(bool value)
    {
        var o = value ? LibPython.True : LibPython.False;
        LibPython.Py_IncRef(o);
        return o;
    }

    public static nint NewInt(long value) => LibPython.PyLong_FromLongLong(value);

    public static nint NewString(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            byte empty = 0;
            return LibPython.PyUnicode_DecodeUTF8(&empty, 0, null);
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(value, buffer);
        fixed (byte* p = buffer)
        fixed (byte* errors = "surrogatepass\0"u8)
        {
            return LibPython.PyUnicode_DecodeUTF8(p, n, errors);
        }
    }

    public static nint NewBytes(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return LibPython.PyBytes_FromStringAndSize(p, value.Length);
        }
    }

    /// <summary>Reads the characters of a <c>str</c> (or subclass) without calling any Python method.</summary>
    public static string? ReadString(nint o)
    {
        nint size;
        var p = LibPython.PyUnicode_AsUTF8AndSize(o, &size);
        if (p == null)
        {
            // Lone surrogates (from surrogateescape) cannot be encoded strictly: go through the codec.
            LibPython.PyErr_Clear();
            fixed (byte* enc = "utf-8\0"u8)
            fixed (byte* err = "surrogatepass\0"u8)
            {
                var bytes = LibPython.PyUnicode_AsEncodedString(o, enc, err);
                if (bytes == 0)
                {
                    return null;
                }

                try
                {
                    return ReadBytesAsString(bytes);
                }
                finally
                {
                    LibPython.Py_DecRef(bytes);
                }
            }
        }

        return Encoding.UTF8.GetString(p, (int)size);
    }

    private static string? ReadBytesAsString(nint bytes)
    {
        byte* data;
        nint size;
        return LibPython.PyBytes_AsStringAndSize(bytes, &data, &size) < 0 ? null : Encoding.UTF8.GetString(data, (int)size);
    }

    /// <summary>Reads the contents of a <c>bytes</c> (or subclass) without calling any Python method.</summary>
    public static ReadOnlySpan<byte> ReadBytes(nint o)
    {
        byte* data;
        nint size;
        return LibPython.PyBytes_AsStringAndSize(o, &data, &size) < 0 ? default : new ReadOnlySpan<byte>(data, (int)size);
    }

    public static nint GetAttr(nint o, string name)
    {
        Span<byte> n = stackalloc byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, n);
        n[^1] = 0;
        fixed (byte* p = n)
        {
            return LibPython.PyObject_GetAttrString(o, p);
        }
    }

    public static int SetAttr(nint o, string name, nint value)
    {
        Span<byte> n = stackalloc byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, n);
        n[^1] = 0;
        fixed (byte* p = n)
        {
            return LibPython.PyObject_SetAttrString(o, p, value);
        }
    }

    /// <summary>
    /// <c>PyObject_Call</c> that never dereferences 0: a missing callable raises <c>RuntimeError</c> naming
    /// <paramref name="what"/>, and a missing argument tuple (its construction failed) keeps the error already set.
    /// Returns a new reference, or 0 with a Python error set.
    /// </summary>
    public static nint Call(nint callable, nint args, nint kwargs, string what)
    {
        if (callable == 0)
        {
            return SetError(LibPython.ExcRuntimeError, $"{what} is not available in this runtime");
        }

        return args == 0 ? 0 : LibPython.PyObject_Call(callable, args, kwargs);
    }

    public static nint Import(string name)
    {
        Span<byte> n = stackalloc byte[Encoding.UTF8.GetByteCount(name) + 1];
        Encoding.UTF8.GetBytes(name, n);
        n[^1] = 0;
        fixed (byte* p = n)
        {
            return LibPython.PyImport_ImportModule(p);
        }
    }

    /// <summary>The offset of a tuple's first item: <c>PyObject_VAR_HEAD</c> (reference count, type, size) in CPython 3.11.</summary>
    private const int TupleItemsOffset = 24;

    /// <summary>Builds a tuple, stealing the references of <paramref name="items"/>.</summary>
    /// <remarks>When an item is 0 (its construction failed) or the tuple cannot be made, the other items are released and 0 is returned with the Python error set.</remarks>
    public static nint Tuple(params ReadOnlySpan<nint> items)
    {
        var t = items.Contains(0) ? 0 : LibPython.PyTuple_New(items.Length);
        if (t == 0)
        {
            foreach (var item in items)
            {
                LibPython.Py_DecRef(item); // Py_DecRef accepts 0
            }

            if (LibPython.PyErr_Occurred() == 0)
            {
                SetError(LibPython.ExcMemoryError, "a tuple could not be built");
            }

            return 0;
        }

        // PyTuple_SET_ITEM: a new tuple's slots (ob_item, after PyObject_VAR_HEAD) are filled in place, as CPython's
        // own macro does, without a call per item.
        var slots = (nint*)(t + TupleItemsOffset);
        for (var i = 0; i < items.Length; i++)
        {
            slots[i] = items[i];
        }

        return t;
    }

    /// <summary>Sets a Python exception of the given class with a message; returns 0 for convenient <c>return</c>.</summary>
    public static nint SetError(nint exceptionClass, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\0");
        fixed (byte* p = bytes)
        {
            LibPython.PyErr_SetString(exceptionClass, p);
        }

        return 0;
    }

    /// <summary>Raises <c>OSError(errno, strerror[, filename[, winerror, filename2]])</c>; Python picks the subclass from the errno.</summary>
    public static nint SetOSError(int errno, string message, string? filename = null, string? filename2 = null)
    {
        var args = filename is null
            ? Tuple(NewInt(errno), NewString(message))
            : filename2 is null
                ? Tuple(NewInt(errno), NewString(message), NewString(filename))
                : Tuple(NewInt(errno), NewString(message), NewString(filename), NewNone(), NewString(filename2));
        var exc = LibPython.PyObject_Call(LibPython.ExcOSError, args, 0);
        LibPython.Py_DecRef(args);
        if (exc != 0)
        {
            LibPython.PyErr_SetObject(TypeOf(exc), exc);
            LibPython.Py_DecRef(exc);
        }

        return 0;
    }

    /// <summary>Fetches and clears the current error, returning the normalised exception object (new reference) or 0.</summary>
    public static nint FetchError()
    {
        nint type, value, tb;
        LibPython.PyErr_Fetch(&type, &value, &tb);
        if (type == 0)
        {
            return 0;
        }

        LibPython.PyErr_NormalizeException(&type, &value, &tb);
        if (tb != 0 && value != 0)
        {
            SetAttr(value, "__traceback__", tb);
        }

        if (type != 0)
        {
            LibPython.Py_DecRef(type);
        }

        if (tb != 0)
        {
            LibPython.Py_DecRef(tb);
        }

        return value;
    }

    public static string Str(nint o)
    {
        var s = LibPython.PyObject_Str(o);
        if (s == 0)
        {
            LibPython.PyErr_Clear();
            return "<unprintable>";
        }

        try
        {
            return ReadString(s) ?? "<unprintable>";
        }
        finally
        {
            LibPython.Py_DecRef(s);
        }
    }
}
