using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>A path argument: a path read once (so <c>__fspath__</c> and <c>str</c> subclasses cannot change it later), or a descriptor.</summary>
internal readonly record struct PathArg(string? Path, int Fd, bool IsBytes)
{
    public bool IsFd => Path is null;
}

/// <summary>
/// The one checked way to read bridge arguments: each read checks presence and type at C level, checks the result of
/// every C-API call it makes, and either returns a value a handler can use or throws (a Python error set meanwhile
/// wins over the exception). Never calls a user-defined method except <c>__fspath__</c> (once), <c>__index__</c>,
/// <c>__float__</c>, <c>__bool__</c> and the buffer protocol. <c>index</c> is the parameter's position, for messages.
/// </summary>
internal static unsafe class Arg
{
    private const int PyBufSimple = 0;
    private const int PyBufWritable = 1;
    private const int PyBufferSize = 80;

    private static readonly delegate* unmanaged<nint, nint, nint> TypeLookup = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("_PyType_Lookup");
    private static readonly delegate* unmanaged<nint, int> CheckBuffer = (delegate* unmanaged<nint, int>)LibPython.Export("PyObject_CheckBuffer");
    private static readonly delegate* unmanaged<nint, nint> BytesFromObject = (delegate* unmanaged<nint, nint>)LibPython.Export("PyBytes_FromObject");

    /// <summary>Gets a parameter that must be given (the trampoline already refused a call without it).</summary>
    /// <exception cref="PythonArgumentException">It is absent.</exception>
    public static nint Required(BridgeArgs args, int index, string name)
    {
        var o = args.Get(name);
        return o != 0 ? o : throw new PythonArgumentException($"{args.Function}() missing required argument '{name}' (pos {index + 1})");
    }

    /// <summary>Gets an optional parameter, or 0 when it is absent or None.</summary>
    public static nint Optional(BridgeArgs args, string name)
    {
        var o = args.Get(name);
        return o == LibPython.None ? 0 : o;
    }

    /// <summary>
    /// Gets a bytes-like parameter through the buffer protocol (C-contiguous, writable when asked): the view stays
    /// valid, and the object cannot be resized, until it is disposed.
    /// </summary>
    /// <exception cref="PythonErrorException">The object is not such a buffer (the Python error is set).</exception>
    public static BufferArg Buffer(BridgeArgs args, int index, string name, bool writable = false)
        => BufferOf(Required(args, index, name), writable);

    /// <summary>As <see cref="Buffer(BridgeArgs, int, string, bool)"/>, for an object already in hand.</summary>
    /// <exception cref="PythonErrorException">The object is not such a buffer (the Python error is set).</exception>
    public static BufferArg BufferOf(nint o, bool writable = false)
    {
        var view = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(PyBufferSize);
        if (LibPython.PyObject_GetBuffer(o, (nint)view, writable ? PyBufWritable : PyBufSimple) < 0)
        {
            System.Runtime.InteropServices.NativeMemory.Free(view);
            throw new PythonErrorException();
        }

        return new BufferArg(view);
    }

    /// <summary>Gets a number of seconds: an int or float, or an object with <c>__float__</c> or <c>__index__</c>.</summary>
    /// <exception cref="PythonErrorException">It is not a number (the Python error is set).</exception>
    public static double Seconds(nint o)
    {
        var value = LibPython.PyFloat_AsDouble(o);
        return value == -1 && LibPython.PyErr_Occurred() != 0 ? throw new PythonErrorException() : value;
    }

    /// <summary>Reads every item of an iterable, each with <paramref name="read"/>; every C-API result is checked.</summary>
    /// <exception cref="PythonArgumentException">It is not iterable.</exception>
    /// <exception cref="PythonErrorException">Iterating raised (the Python error is set).</exception>
    public static List<T> Items<T>(nint iterable, string name, Func<nint, string, T> read)
    {
        var iterator = LibPython.PyObject_GetIter(iterable);
        if (iterator == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException($"{name} must be iterable, not {Py.TypeName(iterable)}");
        }

        try
        {
            var items = new List<T>();
            nint item;
            while ((item = LibPython.PyIter_Next(iterator)) != 0)
            {
                try
                {
                    items.Add(read(item, name));
                }
                finally
                {
                    LibPython.Py_DecRef(item);
                }
            }

            return LibPython.PyErr_Occurred() != 0 ? throw new PythonErrorException() : items;
        }
        finally
        {
            LibPython.Py_DecRef(iterator);
        }
    }

    /// <summary>Reads a str or bytes (or a subclass, at C level: no method of it runs).</summary>
    /// <exception cref="PythonArgumentException">It is neither.</exception>
    public static string StringOrBytes(nint o, string name)
        => Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass)
            ? Py.ReadString(o) ?? throw new PythonErrorException()
            : Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass)
                ? System.Text.Encoding.UTF8.GetString(Py.ReadBytes(o))
                : throw new PythonArgumentException($"{name}: expected str or bytes, not {Py.TypeName(o)}");

    public static PathArg Path(BridgeArgs args, int index, string name, bool allowFd = false, bool optional = false, string defaultPath = ".")
    {
        var o = args.Get(name);
        if (o == 0 || o == LibPython.None)
        {
            return optional ? new PathArg(defaultPath, -1, false) : throw new PythonArgumentException($"missing required argument '{name}' (pos {index + 1})");
        }

        return PathOf(o, name, allowFd);
    }

    public static PathArg PathOf(nint o, string name, bool allowFd)
    {
        if (allowFd && Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) && Py.TypeOf(o) != LibPython.BoolType)
        {
            return new PathArg(null, ToInt(Long(o, name), name), false);
        }

        var fspath = LibPython.PyOS_FSPath(o);
        if (fspath == 0)
        {
            // A type with __fspath__ whose call failed or returned neither str nor bytes: its error stands, as CPython's.
            var fsPathName = Py.NewString("__fspath__");
            var hasFsPath = fsPathName != 0 && TypeLookup(Py.TypeOf(o), fsPathName) != 0; // the MRO's dicts: no code runs
            LibPython.Py_DecRef(fsPathName);
            if (hasFsPath)
            {
                throw new PythonErrorException();
            }

            LibPython.PyErr_Clear();
            var expected = $"{name} should be string, bytes or os.PathLike{(allowFd ? " or integer" : string.Empty)}";
            if (!Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass) && CheckBuffer(o) != 0)
            {
                // A bytes-like object (bytearray, memoryview): still a path in CPython 3.11, with a DeprecationWarning.
                fixed (byte* message = System.Text.Encoding.UTF8.GetBytes($"{expected}, not {Py.TypeName(o)}\0"))
                {
                    if (LibPython.PyErr_WarnEx(*(nint*)LibPython.Export("PyExc_DeprecationWarning"), message, 1) < 0)
                    {
                        throw new PythonErrorException();
                    }
                }

                var bytes = BytesFromObject(o);
                fspath = bytes != 0 ? bytes : throw new PythonErrorException();
            }
            else
            {
                throw new PythonArgumentException($"{name}: path should be string, bytes or os.PathLike{(allowFd ? " or integer" : string.Empty)}, not {Py.TypeName(o)}");
            }
        }

        try
        {
            string path;
            bool isBytes;
            if (Py.IsInstanceOfFlag(fspath, Py.TpFlagsUnicodeSubclass))
            {
                path = Py.ReadString(fspath) ?? throw new PythonErrorException();
                isBytes = false;
            }
            else if (Py.IsInstanceOfFlag(fspath, Py.TpFlagsBytesSubclass))
            {
                path = System.Text.Encoding.UTF8.GetString(Py.ReadBytes(fspath));
                isBytes = true;
            }
            else
            {
                throw new PythonArgumentException($"{name}: expected str or bytes from __fspath__, not {Py.TypeName(fspath)}");
            }

            return path.Contains('\0', StringComparison.Ordinal)
                ? throw new PythonArgumentException($"{name}: embedded null byte", isValueError: true)
                : new PathArg(path, -1, isBytes);
        }
        finally
        {
            LibPython.Py_DecRef(fspath);
        }
    }

    public static int Int(BridgeArgs args, int index, string name, int? defaultValue = null)
    {
        var o = args.Get(name);
        if (o == 0 || (o == LibPython.None && defaultValue.HasValue))
        {
            return defaultValue ?? throw new PythonArgumentException($"missing required argument '{name}' (pos {index + 1})");
        }

        return ToInt(Long(o, name), name);
    }

    /// <summary>Narrows to an int as CPython's argument parsing does: out of range is an error of the call, not of the host.</summary>
    public static int ToInt(long value, string name)
        => value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new PythonArgumentException($"{name}: signed integer is greater than maximum", isValueError: true);

    public static long Long(BridgeArgs args, int index, string name, long? defaultValue = null)
    {
        var o = args.Get(name);
        if (o == 0)
        {
            return defaultValue ?? throw new PythonArgumentException($"missing required argument '{name}' (pos {index + 1})");
        }

        return Long(o, name);
    }

    public static long Long(nint o, string name)
    {
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            var v = LibPython.PyLong_AsLongLong(o);
            if (v == -1 && LibPython.PyErr_Occurred() != 0)
            {
                LibPython.PyErr_Clear();
                throw new PythonArgumentException($"{name}: integer out of range", true);
            }

            return v;
        }

        var index = LibPython.PyNumber_Index(o);
        if (index == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException($"{name}: an integer is required, not {Py.TypeName(o)}");
        }

        try
        {
            return Long(index, name);
        }
        finally
        {
            LibPython.Py_DecRef(index);
        }
    }

    public static bool Bool(BridgeArgs args, int index, string name, bool defaultValue)
    {
        var o = args.Get(name);
        if (o == 0)
        {
            return defaultValue;
        }

        var r = LibPython.PyObject_IsTrue(o);
        if (r < 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException($"{name}: expected a boolean");
        }

        return r == 1;
    }

    /// <summary>Refuses <c>dir_fd</c> (not supported by the managed backend) unless it is None.</summary>
    public static void NoDirFd(BridgeArgs args, string function)
    {
        foreach (var key in (ReadOnlySpan<string>)["dir_fd", "src_dir_fd", "dst_dir_fd"])
        {
            var o = args.Declares(key) ? args.Get(key) : 0;
            if (o != 0 && o != LibPython.None)
            {
                throw new UnsupportedOperationException($"{function} with {key} is not supported by the managed backend");
            }
        }
    }

    public static string? OptionalString(BridgeArgs args, int index, string name)
    {
        var o = args.Get(name);
        if (o == 0 || o == LibPython.None)
        {
            return null;
        }

        return StringOrBytes(o, name);
    }

    /// <summary>Returns a path as the caller gave it: bytes for bytes arguments.</summary>
    public static nint ReturnPath(string path, bool asBytes)
        => asBytes ? Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(path)) : Py.NewString(path);
}

/// <summary>A buffer-protocol view of a bridge argument (<see cref="Arg.Buffer"/>); released when disposed.</summary>
internal readonly unsafe ref struct BufferArg
{
    private readonly byte* _view;

    public BufferArg(byte* view) => _view = view;

    /// <summary>Gets the length in bytes (a view longer than 2 GiB is read as its first 2 GiB).</summary>
    public int Length => (int)Math.Min(*(long*)(_view + 16), int.MaxValue);

    /// <summary>Gets the bytes.</summary>
    public Span<byte> Span => new(*(void**)_view, Length);

    public void Dispose()
    {
        LibPython.PyBuffer_Release((nint)_view);
        System.Runtime.InteropServices.NativeMemory.Free(_view);
    }
}
