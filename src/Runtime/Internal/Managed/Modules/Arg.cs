using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>A path argument: a path read once (so <c>__fspath__</c> and <c>str</c> subclasses cannot change it later), or a descriptor.</summary>
internal readonly record struct PathArg(string? Path, int Fd, bool IsBytes)
{
    public bool IsFd => Path is null;
}

/// <summary>Reads bridge arguments with exact C-level checks; never calls a user-defined method except <c>__fspath__</c> (once) and <c>__index__</c>.</summary>
internal static unsafe class Arg
{
    public static PathArg Path(BridgeArgs args, int index, string name, bool allowFd = false, bool optional = false, string defaultPath = ".")
    {
        var o = args.Get(index, name);
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
            LibPython.PyErr_Clear();
            throw new PythonArgumentException($"{name}: path should be string, bytes or os.PathLike{(allowFd ? " or integer" : string.Empty)}, not {Py.TypeName(o)}");
        }

        try
        {
            if (Py.IsInstanceOfFlag(fspath, Py.TpFlagsUnicodeSubclass))
            {
                return new PathArg(Py.ReadString(fspath) ?? throw new PythonArgumentException($"{name}: invalid string", true), -1, false);
            }

            var bytes = Py.ReadBytes(fspath);
            return new PathArg(System.Text.Encoding.UTF8.GetString(bytes), -1, true);
        }
        finally
        {
            LibPython.Py_DecRef(fspath);
        }
    }

    public static int Int(BridgeArgs args, int index, string name, int? defaultValue = null)
    {
        var o = args.Get(index, name);
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
        var o = args.Get(index, name);
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
        var o = args.Get(index, name);
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
            var o = args.Keyword(key);
            if (o != 0 && o != LibPython.None)
            {
                throw new UnsupportedOperationException($"{function} with {key} is not supported by the managed backend");
            }
        }
    }

    public static string? OptionalString(BridgeArgs args, int index, string name)
    {
        var o = args.Get(index, name);
        if (o == 0 || o == LibPython.None)
        {
            return null;
        }

        return Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass)
            ? Py.ReadString(o)
            : Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass)
                ? System.Text.Encoding.UTF8.GetString(Py.ReadBytes(o))
                : throw new PythonArgumentException($"{name}: expected str or bytes, not {Py.TypeName(o)}");
    }

    /// <summary>Returns a path as the caller gave it: bytes for bytes arguments.</summary>
    public static nint ReturnPath(string path, bool asBytes)
        => asBytes ? Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(path)) : Py.NewString(path);
}
