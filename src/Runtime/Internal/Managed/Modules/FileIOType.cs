using System.Runtime.InteropServices;
using System.Text;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The Managed backend's <c>io.FileIO</c>: a C-level heap type (<c>PyType_FromSpecWithBases</c>, base <c>_io._RawIOBase</c>)
/// whose slots and methods are <see cref="UnmanagedCallersOnlyAttribute"/> functions over the runtime's virtual
/// descriptors, so that <c>open()</c>, <c>read</c>, <c>write</c> and <c>close</c> run no Python bytecode. An instance
/// holds a descriptor number of the runtime's table and flags, nothing else: no .NET object is reachable from it. Every
/// path is opened through <see cref="PosixFunctions.OpenPath"/>, with the same permission checks and error mapping as
/// <c>os.open</c>; a descriptor number given by the caller must be in the runtime's table (<c>EBADF</c> otherwise).
/// The type is made once for the process, as the interpreter it belongs to. GIL held in every function.
/// </summary>
internal static unsafe class FileIOType
{
    /// <summary>The type's <c>__module__.__qualname__</c>, distinct from CPython's <c>_io.FileIO</c> (whose constructor is refused).</summary>
    public const string QualifiedName = "io.FileIO";

    /// <summary>The methods whose C functions are defined here (checked by the type completeness test).</summary>
    public static readonly IReadOnlyList<string> MethodNames =
    [
        "read", "readall", "readinto", "write", "seek", "tell", "truncate", "close", "fileno", "isatty", "readable",
        "writable", "seekable", "_dealloc_warn", "__getstate__",
    ];

    private const int BufferSize = StatResult.BlockSize;
    private const int MethNoArgs = 0x4;
    private const int MethO = 0x8;
    private const int MethFastCall = 0x80;
    private const ulong TpFlagsDefault = 1UL << 18;
    private const ulong TpFlagsBaseType = 1UL << 10;
    private const int TpBasicSizeOffset = 32;

    // typeslots.h
    private const int SlotTpBase = 48;
    private const int SlotTpDoc = 56;
    private const int SlotTpInit = 60;
    private const int SlotTpMethods = 64;
    private const int SlotTpNew = 65;
    private const int SlotTpRepr = 66;
    private const int SlotTpGetSet = 73;

    // Flags of an instance.
    private const int Readable = 1;
    private const int Writable = 2;
    private const int Appending = 4;
    private const int Created = 8;
    private const int CloseFd = 16;
    private const int SeekableKnown = 32;
    private const int SeekableValue = 64;
    private const int NotATty = 128;

    private static readonly Dictionary<string, (int Flags, int Bits)> Modes = new(StringComparer.Ordinal);
    private static readonly HashSet<nint> MethodPointers = [];
    private static nint s_type;
    private static nint s_baseClose;
    private static int s_fieldsOffset;
    private static ManagedBackend? s_backend;
    private static PosixFunctions? s_posix;
    private static nint s_bufferedReader;
    private static nint s_bufferedWriter;
    private static nint s_bufferedRandom;
    private static nint s_textIOWrapper;
    private static nint s_textEncoding;
    private static nint s_modeName;
    private static nint s_nameName;
    private static delegate* unmanaged<nint, nint, nint> s_genericAlloc;
    private static delegate* unmanaged<nint, nint, nint, int> s_setAttr;
    private static delegate* unmanaged<nint, nint> s_repr;
    private static delegate* unmanaged<nint, int> s_reprEnter;
    private static delegate* unmanaged<nint, void> s_reprLeave;
    private static delegate* unmanaged<nint, void> s_writeUnraisable;
    private static nint s_resourceWarning;

    /// <summary>Gets the type, made on first use from <c>_io._RawIOBase</c> (borrowed reference, kept for the process).</summary>
    /// <exception cref="PythonErrorException">The type could not be made (the Python error is set).</exception>
    public static nint Get(ManagedBackend backend)
    {
        if (s_type != 0)
        {
            return s_type;
        }

        s_backend = backend;
        s_posix = new PosixFunctions(backend);
        s_genericAlloc = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PyType_GenericAlloc");
        s_repr = (delegate* unmanaged<nint, nint>)LibPython.Export("PyObject_Repr");
        s_reprEnter = (delegate* unmanaged<nint, int>)LibPython.Export("Py_ReprEnter");
        s_reprLeave = (delegate* unmanaged<nint, void>)LibPython.Export("Py_ReprLeave");
        s_setAttr = (delegate* unmanaged<nint, nint, nint, int>)LibPython.Export("PyObject_SetAttr");
        s_writeUnraisable = (delegate* unmanaged<nint, void>)LibPython.Export("PyErr_WriteUnraisable");
        s_resourceWarning = *(nint*)LibPython.Export("PyExc_ResourceWarning");
        var io = Py.Import("_io");
        var rawBase = io == 0 ? 0 : Py.GetAttr(io, "_RawIOBase");
        if (io != 0)
        {
            // Taken once, before user code runs, and kept for the process: replacing the module's names later changes nothing open() makes.
            s_bufferedReader = Py.GetAttr(io, "BufferedReader");
            s_bufferedWriter = Py.GetAttr(io, "BufferedWriter");
            s_bufferedRandom = Py.GetAttr(io, "BufferedRandom");
            s_textIOWrapper = Py.GetAttr(io, "TextIOWrapper");
            s_textEncoding = Py.GetAttr(io, "text_encoding");
            LibPython.Py_DecRef(io);
        }

        s_modeName = Py.NewString("mode");
        s_nameName = Py.NewString("name");
        if (rawBase == 0 || s_bufferedReader == 0 || s_bufferedWriter == 0 || s_bufferedRandom == 0 || s_textIOWrapper == 0 || s_textEncoding == 0 || s_modeName == 0 || s_nameName == 0)
        {
            throw new PythonErrorException();
        }

        s_baseClose = Py.GetAttr(rawBase, "close"); // kept for the process: IOBase.close, a method descriptor of a static type
        if (s_baseClose == 0)
        {
            throw new PythonErrorException();
        }

        s_fieldsOffset = (int)*(nint*)(rawBase + TpBasicSizeOffset);
        var fromSpec = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PyType_FromSpecWithBases");
        var bases = Py.Tuple(rawBase); // steals rawBase
        var type = fromSpec(Spec(), bases);
        LibPython.Py_DecRef(bases);
        if (type == 0)
        {
            throw new PythonErrorException();
        }

        s_type = type;
        return type;
    }

    /// <summary>Whether <paramref name="definition"/> (a <c>PyMethodDef</c>) runs one of this type's functions.</summary>
    public static bool IsOwnMethod(nint definition)
    {
        if (definition == 0)
        {
            return false;
        }

        lock (MethodPointers)
        {
            return MethodPointers.Contains(*(nint*)(definition + 8));
        }
    }

    /// <summary>The type's specification, in unmanaged memory for the process (CPython keeps pointers into the tables).</summary>
    private static nint Spec()
    {
        var methods = new (string Name, nint Function, int Flags, string Doc)[]
        {
            ("read", (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&Read, MethFastCall, "read(size=-1, /)\n--\n\nRead at most size bytes, returned as bytes; all of them when size is negative or omitted."),
            ("readall", (nint)(delegate* unmanaged<nint, nint, nint>)&ReadAll, MethNoArgs, "readall($self, /)\n--\n\nRead until the end of the file."),
            ("readinto", (nint)(delegate* unmanaged<nint, nint, nint>)&ReadInto, MethO, "readinto($self, buffer, /)\n--\n\nRead into a writable buffer; return the number of bytes read."),
            ("write", (nint)(delegate* unmanaged<nint, nint, nint>)&Write, MethO, "write($self, b, /)\n--\n\nWrite a bytes-like object; return the number of bytes written."),
            ("seek", (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&Seek, MethFastCall, "seek($self, pos, whence=0, /)\n--\n\nMove to a new position; return it."),
            ("tell", (nint)(delegate* unmanaged<nint, nint, nint>)&Tell, MethNoArgs, "tell($self, /)\n--\n\nThe current position."),
            ("truncate", (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&Truncate, MethFastCall, "truncate($self, size=None, /)\n--\n\nTruncate the file to size bytes (the current position by default); return the size."),
            ("close", (nint)(delegate* unmanaged<nint, nint, nint>)&Close, MethNoArgs, "close($self, /)\n--\n\nFlush and close the file; closing a closed file does nothing."),
            ("fileno", (nint)(delegate* unmanaged<nint, nint, nint>)&FileNo, MethNoArgs, "fileno($self, /)\n--\n\nThe runtime's descriptor of the file."),
            ("isatty", (nint)(delegate* unmanaged<nint, nint, nint>)&IsATty, MethNoArgs, "isatty($self, /)\n--\n\nWhether the file is a terminal."),
            ("readable", (nint)(delegate* unmanaged<nint, nint, nint>)&IsReadable, MethNoArgs, "readable($self, /)\n--\n\nWhether the file was opened for reading."),
            ("writable", (nint)(delegate* unmanaged<nint, nint, nint>)&IsWritable, MethNoArgs, "writable($self, /)\n--\n\nWhether the file was opened for writing."),
            ("seekable", (nint)(delegate* unmanaged<nint, nint, nint>)&IsSeekable, MethNoArgs, "seekable($self, /)\n--\n\nWhether the file supports seeking."),
            ("_dealloc_warn", (nint)(delegate* unmanaged<nint, nint, nint>)&DeallocWarn, MethO, null!),
            ("__getstate__", (nint)(delegate* unmanaged<nint, nint, nint>)&GetState, MethNoArgs, null!),
        };
        var methodTable = (nint*)NativeMemory.AllocZeroed((nuint)((methods.Length + 1) * 32));
        for (var i = 0; i < methods.Length; i++)
        {
            methodTable[i * 4] = Utf8(methods[i].Name);
            methodTable[(i * 4) + 1] = methods[i].Function;
            *(int*)&methodTable[(i * 4) + 2] = methods[i].Flags;
            methodTable[(i * 4) + 3] = methods[i].Doc is null ? 0 : Utf8(methods[i].Doc);
            lock (MethodPointers)
            {
                MethodPointers.Add(methods[i].Function);
            }
        }

        var getters = new (string Name, nint Getter, string Doc)[]
        {
            ("closed", (nint)(delegate* unmanaged<nint, nint, nint>)&GetClosed, "True if the file is closed"),
            ("closefd", (nint)(delegate* unmanaged<nint, nint, nint>)&GetCloseFd, "True if the descriptor is closed with the file"),
            ("mode", (nint)(delegate* unmanaged<nint, nint, nint>)&GetMode, "The mode string"),
            ("_blksize", (nint)(delegate* unmanaged<nint, nint, nint>)&GetBlockSize, "The buffer size open() uses"),
        };
        var getSetTable = (nint*)NativeMemory.AllocZeroed((nuint)((getters.Length + 1) * 40));
        for (var i = 0; i < getters.Length; i++)
        {
            getSetTable[i * 5] = Utf8(getters[i].Name);
            getSetTable[(i * 5) + 1] = getters[i].Getter;
            getSetTable[(i * 5) + 3] = Utf8(getters[i].Doc);
        }

        var slots = new (int Slot, nint Value)[]
        {
            (SlotTpNew, (nint)(delegate* unmanaged<nint, nint, nint, nint>)&New),
            (SlotTpInit, (nint)(delegate* unmanaged<nint, nint, nint, int>)&Init),
            (SlotTpRepr, (nint)(delegate* unmanaged<nint, nint>)&Repr),
            (SlotTpMethods, (nint)methodTable),
            (SlotTpGetSet, (nint)getSetTable),
            (SlotTpDoc, Utf8("FileIO(file, mode='r', closefd=True, opener=None)\n--\n\nRaw file I/O over a descriptor of the runtime (the managed io.FileIO).")),
        };
        var slotTable = (nint*)NativeMemory.AllocZeroed((nuint)((slots.Length + 1) * 16));
        for (var i = 0; i < slots.Length; i++)
        {
            *(int*)&slotTable[i * 2] = slots[i].Slot;
            slotTable[(i * 2) + 1] = slots[i].Value;
        }

        // PyType_Spec: name, basicsize (int), itemsize (int), flags (unsigned int), slots.
        var spec = (byte*)NativeMemory.AllocZeroed(32);
        *(nint*)spec = Utf8(QualifiedName);
        *(int*)(spec + 8) = s_fieldsOffset + 8;
        *(uint*)(spec + 16) = (uint)(TpFlagsDefault | TpFlagsBaseType);
        *(nint*)(spec + 24) = (nint)slotTable;
        return (nint)spec;
    }

    private static nint Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = (nint)NativeMemory.Alloc((nuint)bytes.Length);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return p;
    }

    // ---- instance fields: the descriptor, then the flags ----

    private static ref int Fd(nint self) => ref *(int*)(self + s_fieldsOffset);

    private static ref int Bits(nint self) => ref *(int*)(self + s_fieldsOffset + 4);

    private static bool Has(nint self, int bit) => (Bits(self) & bit) != 0;

    private static ManagedBackend Backend => s_backend ?? throw new InvalidOperationException("the managed FileIO has no backend");

    /// <summary>The open file behind an instance, or a <c>ValueError</c> for a closed one.</summary>
    private static OpenFile FileOf(nint self)
    {
        var fd = Fd(self);
        return fd < 0 ? throw ClosedError() : Backend.Fds.Get(fd);
    }

    private static PythonArgumentException ClosedError() => new("I/O operation on closed file", isValueError: true);

    private static void CheckOpen(nint self)
    {
        if (Fd(self) < 0)
        {
            throw ClosedError();
        }
    }

    private static void Require(nint self, int bit)
    {
        if (!Has(self, bit))
        {
            throw new NotPermittedByModeException(bit == Readable ? "File not open for reading" : "File not open for writing");
        }
    }

    /// <summary>Sets the Python error for an exception that escaped a function (a Python error already set wins); returns 0.</summary>
    private static nint Fail(Exception e, string operation)
    {
        try
        {
            if (LibPython.PyErr_Occurred() != 0)
            {
                return 0;
            }

            if (e is NotPermittedByModeException mode)
            {
                return Py.SetError(ManagedErrors.UnsupportedOperationClass != 0 ? ManagedErrors.UnsupportedOperationClass : LibPython.ExcOSError, mode.Message);
            }

            return s_backend is { } backend ? backend.MapException(e, operation) : Py.SetError(LibPython.ExcRuntimeError, $"{operation}: {e.Message}");
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "internal error in the host bridge");
        }
    }

    // ---- construction ----

    [UnmanagedCallersOnly]
    private static nint New(nint type, nint args, nint kwargs)
    {
        try
        {
            var self = s_genericAlloc(type, 0);
            if (self != 0)
            {
                Fd(self) = -1;
                Bits(self) = CloseFd;
            }

            return self;
        }
        catch (Exception e)
        {
            return Fail(e, "FileIO");
        }
    }

    [UnmanagedCallersOnly]
    private static int Init(nint self, nint args, nint kwargs)
    {
        try
        {
            return InitCore(self, args, kwargs) ? 0 : -1;
        }
        catch (Exception e)
        {
            Fail(e, "open");
            return -1;
        }
    }

    private static bool InitCore(nint self, nint args, nint kwargs)
    {
        // FileIO(file, mode='r', closefd=True, opener=None), as CPython's.
        Span<nint> values = stackalloc nint[4];
        values.Clear();
        ReadOnlySpan<string> names = ["file", "mode", "closefd", "opener"];
        var count = args == 0 ? 0 : (int)*(nint*)(args + 16);
        if (count > names.Length)
        {
            throw new PythonArgumentException($"FileIO() takes at most 4 arguments ({count} given)");
        }

        for (var i = 0; i < count; i++)
        {
            values[i] = *(nint*)(args + 24 + (i * 8));
        }

        if (kwargs != 0)
        {
            nint pos = 0, key, value;
            while (LibPython.PyDict_Next(kwargs, &pos, &key, &value) != 0)
            {
                var name = Py.IsInstanceOfFlag(key, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(key) : null;
                var index = name is null ? -1 : names.IndexOf(name);
                if (index < 0)
                {
                    throw new PythonArgumentException($"'{name ?? Py.TypeName(key)}' is an invalid keyword argument for FileIO()");
                }

                if (values[index] != 0)
                {
                    throw new PythonArgumentException($"argument for FileIO() given by name ('{name}') and position ({index + 1})");
                }

                values[index] = value;
            }
        }

        var file = values[0];
        if (file == 0)
        {
            throw new PythonArgumentException("FileIO() missing required argument 'file' (pos 1)");
        }

        // A second __init__ closes what the first opened, as CPython's.
        var previous = Fd(self);
        if (previous >= 0)
        {
            Fd(self) = -1;
            if (Has(self, CloseFd))
            {
                Backend.Fds.Close(previous);
            }
        }

        if (LibPython.PyObject_IsInstance(file, LibPython.FloatType) == 1)
        {
            throw new PythonArgumentException("integer argument expected, got float");
        }

        var mode = values[1];
        var (flags, bits) = ModeOf(mode == 0 ? "r" : Py.IsInstanceOfFlag(mode, Py.TpFlagsUnicodeSubclass) ? ModeString(mode) : throw new PythonArgumentException($"FileIO() argument 'mode' must be str, not {Py.TypeName(mode)}"), raw: true);
        var closeFd = true;
        if (values[2] != 0)
        {
            var truth = LibPython.PyObject_IsTrue(values[2]);
            if (truth < 0)
            {
                throw new PythonErrorException();
            }

            closeFd = truth == 1;
        }

        var opener = values[3] == LibPython.None ? 0 : values[3];
        var isFd = Py.IsInstanceOfFlag(file, Py.TpFlagsLongSubclass);
        int fd;
        string? path = null;
        if (isFd)
        {
            // An int that is no C int is taken as a name, as CPython's FileIO does, and refused as one.
            long number;
            try
            {
                number = Arg.Long(file, "fd");
            }
            catch (PythonArgumentException)
            {
                number = long.MaxValue;
            }

            fd = number is >= int.MinValue and <= int.MaxValue ? (int)number : throw new PythonArgumentException($"expected str, bytes or os.PathLike object, not {Py.TypeName(file)}");
            if (fd < 0)
            {
                throw new PythonArgumentException("negative file descriptor", isValueError: true);
            }
        }
        else
        {
            if (!closeFd)
            {
                throw new PythonArgumentException("Cannot use closefd=False with file name", isValueError: true);
            }

            if (opener == 0)
            {
                path = Arg.PathOf(file, "file", allowFd: false).Path!;
                fd = s_posix!.OpenPath(path, flags, 0x1B6);
            }
            else
            {
                fd = CallOpener(opener, file, flags);
            }
        }

        Bits(self) = bits | (closeFd ? CloseFd : 0);
        Fd(self) = fd;
        if (s_setAttr(self, s_nameName, file) < 0)
        {
            CloseOwn(self, isFd);
            return false;
        }

        // As CPython: a directory is refused, a bad descriptor too. The descriptor table answers without asking the provider.
        OpenFile opened;
        try
        {
            opened = Backend.Fds.Get(fd);
        }
        catch (Exception)
        {
            CloseOwn(self, isFd);
            throw;
        }

        if (opened is DirectoryFile)
        {
            CloseOwn(self, isFd);
            Py.SetOSError(Errno.EISDIR, "Is a directory", path ?? (Py.IsInstanceOfFlag(file, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(file) : null));
            return false;
        }

        if (opened is ProviderFile { Seekable: true } or MemoryFile)
        {
            Bits(self) |= SeekableKnown | SeekableValue | NotATty;
        }

        if ((bits & Appending) != 0)
        {
            try
            {
                opened.Seek(0, SeekOrigin.End);
            }
            catch (PythonIOException)
            {
                // Not seekable: appending is the file's own business (a pipe).
            }
        }

        return true;
    }

    /// <summary>Forgets the descriptor after a failed <c>__init__</c>, closing it when this instance opened it.</summary>
    private static void CloseOwn(nint self, bool givenFd)
    {
        var fd = Fd(self);
        Fd(self) = -1;
        if (!givenFd && fd >= 0)
        {
            var error = SaveError();
            try
            {
                Backend.Fds.Close(fd);
            }
            catch (PythonIOException)
            {
                // Already gone (the opener's caller closed it).
            }
            finally
            {
                RestoreError(error);
            }
        }
    }

    private static int CallOpener(nint opener, nint file, int flags)
    {
        LibPython.Py_IncRef(file);
        var tuple = Py.Tuple(file, Py.NewInt(flags));
        if (tuple == 0)
        {
            throw new PythonErrorException();
        }

        var result = LibPython.PyObject_Call(opener, tuple, 0);
        LibPython.Py_DecRef(tuple);
        if (result == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            if (!Py.IsInstanceOfFlag(result, Py.TpFlagsLongSubclass))
            {
                throw new PythonArgumentException("expected integer from opener");
            }

            var fd = Arg.ToInt(Arg.Long(result, "fd"), "fd");
            return fd < 0 ? throw new PythonArgumentException($"opener returned {fd}", isValueError: true) : fd;
        }
        finally
        {
            LibPython.Py_DecRef(result);
        }
    }

    private static readonly Dictionary<int, string> ModeStrings = [];

    /// <summary>A mode string's text; the short ones (all valid modes) from a cache keyed by their bytes, without allocating.</summary>
    private static string ModeString(nint o)
    {
        nint size;
        var utf8 = LibPython.PyUnicode_AsUTF8AndSize(o, &size);
        if (utf8 == null)
        {
            throw new PythonErrorException();
        }

        if (size is < 1 or > 3)
        {
            return Py.ReadString(o) ?? throw new PythonErrorException();
        }

        var key = (int)size;
        for (var i = 0; i < size; i++)
        {
            key |= utf8[i] << (8 * (i + 1));
        }

        if (!ModeStrings.TryGetValue(key, out var text))
        {
            text = Encoding.UTF8.GetString(utf8, (int)size);
            if (ModeStrings.Count < 64)
            {
                ModeStrings[key] = text;
            }
        }

        return text;
    }

    /// <summary>(os.open flags, instance bits) of a raw mode, as CPython's FileIO parses it; cached per mode string.</summary>
    private static (int Flags, int Bits) ModeOf(string mode, bool raw = false)
    {
        // A raw file has no text mode: FileIO(name, 'rt') is refused before anything is opened, as CPython's.
        if (raw && mode.Contains('t', StringComparison.Ordinal))
        {
            throw new PythonArgumentException($"invalid mode: {mode}", isValueError: true);
        }

        // Every caller holds the GIL, which serialises the caches.
        if (Modes.TryGetValue(mode, out var known))
        {
            return known;
        }

        var seen = 0;
        var kinds = 0;
        var plus = false;
        foreach (var c in mode)
        {
            var bit = "rwxab+t".IndexOf(c, StringComparison.Ordinal);
            if (bit < 0 || (seen & (1 << bit)) != 0)
            {
                throw new PythonArgumentException($"invalid mode: '{mode}'", isValueError: true);
            }

            seen |= 1 << bit;
            kinds += bit < 4 ? 1 : 0;
            plus |= c == '+';
        }

        if (kinds != 1)
        {
            throw new PythonArgumentException("Must have exactly one of create/read/write/append mode and at most one plus", isValueError: true);
        }

        var access = plus ? PosixFunctions.ORdWr : PosixFunctions.OWrOnly;
        var result = mode.Contains('r', StringComparison.Ordinal) ? (plus ? PosixFunctions.ORdWr : PosixFunctions.ORdOnly, Readable | (plus ? Writable : 0))
            : mode.Contains('w', StringComparison.Ordinal) ? (access | PosixFunctions.OCreat | PosixFunctions.OTrunc, Writable | (plus ? Readable : 0))
            : mode.Contains('x', StringComparison.Ordinal) ? (access | PosixFunctions.OCreat | PosixFunctions.OExcl, Writable | Created | (plus ? Readable : 0))
            : (access | PosixFunctions.OCreat | PosixFunctions.OAppend, Writable | Appending | (plus ? Readable : 0));
        result.Item1 |= 0x80000; // O_CLOEXEC, as CPython
        if (Modes.Count < 64)
        {
            Modes[mode] = result;
        }

        return result;
    }

    // ---- open() ----

    private static readonly Dictionary<string, (bool Binary, string RawMode, int Kind)> OpenModes = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>io.open</c> as CPython's: the managed FileIO, then <c>BufferedReader</c>/<c>BufferedWriter</c>/<c>BufferedRandom</c>
    /// and <c>TextIOWrapper</c> as the mode asks, with CPython's argument checks and messages. Returns a new reference, or 0.
    /// </summary>
    public static nint Open(ManagedBackend backend, BridgeArgs args)
    {
        var type = Get(backend);
        var file = args.Get("file");
        if (!Py.IsInstanceOfFlag(file, Py.TpFlagsUnicodeSubclass) && !Py.IsInstanceOfFlag(file, Py.TpFlagsBytesSubclass) && !Py.IsInstanceOfFlag(file, Py.TpFlagsLongSubclass))
        {
            file = LibPython.PyOS_FSPath(file);
            if (file == 0)
            {
                return 0;
            }
        }
        else
        {
            LibPython.Py_IncRef(file);
        }

        try
        {
            return OpenCore(type, file, args);
        }
        finally
        {
            LibPython.Py_DecRef(file);
        }
    }

    private static nint OpenCore(nint type, nint file, BridgeArgs args)
    {
        var modeObject = args.Get("mode");
        string mode;
        if (modeObject == 0)
        {
            mode = "r";
        }
        else if (Py.IsInstanceOfFlag(modeObject, Py.TpFlagsUnicodeSubclass))
        {
            mode = ModeString(modeObject);
        }
        else
        {
            throw new PythonArgumentException($"open() argument 'mode' must be str, not {Py.TypeName(modeObject)}");
        }

        var bufferingObject = args.Get("buffering");
        if (bufferingObject != 0 && !Py.IsInstanceOfFlag(bufferingObject, Py.TpFlagsLongSubclass))
        {
            throw new PythonArgumentException("an integer is required");
        }

        var buffering = bufferingObject == 0 ? -1 : Arg.Long(bufferingObject, "buffering");
        var (binary, rawMode, kind) = OpenModeOf(mode);
        var encoding = Present(args.Get("encoding"));
        var errors = Present(args.Get("errors"));
        var newline = Present(args.Get("newline"));
        if (binary && encoding != 0)
        {
            throw new PythonArgumentException("binary mode doesn't take an encoding argument", isValueError: true);
        }

        if (binary && errors != 0)
        {
            throw new PythonArgumentException("binary mode doesn't take an errors argument", isValueError: true);
        }

        if (binary && newline != 0)
        {
            throw new PythonArgumentException("binary mode doesn't take a newline argument", isValueError: true);
        }

        if (binary && buffering == 1)
        {
            fixed (byte* message = "line buffering (buffering=1) isn't supported in binary mode, the default buffer size will be used\0"u8)
            {
                if (LibPython.PyErr_WarnEx(*(nint*)LibPython.Export("PyExc_RuntimeWarning"), message, 1) < 0)
                {
                    return 0;
                }
            }
        }

        // raw = FileIO(file, raw_mode, closefd, opener=opener)
        var closeFd = args.Get("closefd");
        var opener = args.Get("opener");
        LibPython.Py_IncRef(file);
        var rawArgs = Py.Tuple(file, Py.NewString(rawMode), closeFd == 0 ? Py.NewBool(true) : Incref(closeFd));
        if (rawArgs == 0)
        {
            return 0;
        }

        nint rawKwargs = 0;
        if (opener != 0 && opener != LibPython.None)
        {
            rawKwargs = LibPython.PyDict_New();
            fixed (byte* n = "opener\0"u8)
            {
                if (rawKwargs == 0 || LibPython.PyDict_SetItemString(rawKwargs, n, opener) < 0)
                {
                    LibPython.Py_DecRef(rawArgs);
                    LibPython.Py_DecRef(rawKwargs);
                    return 0;
                }
            }
        }

        var raw = LibPython.PyObject_Call(type, rawArgs, rawKwargs);
        LibPython.Py_DecRef(rawArgs);
        LibPython.Py_DecRef(rawKwargs);
        if (raw == 0)
        {
            return 0;
        }

        var result = raw;
        try
        {
            return Layers(raw, ref result, buffering, binary, kind, encoding, errors, newline, modeObject);
        }
        catch
        {
            // As CPython: what was made so far is closed, and the first error is the one raised.
            var error = SaveError();
            LibPython.Py_DecRef(CallMethodNoArgs(result, "close"));
            LibPython.PyErr_Clear();
            LibPython.Py_DecRef(result);
            if (error.Type != 0)
            {
                RestoreError(error);
            }

            throw;
        }
    }

    private static nint Present(nint o) => o == LibPython.None ? 0 : o;

    private static nint Incref(nint o)
    {
        LibPython.Py_IncRef(o);
        return o;
    }

    /// <summary>
    /// The buffered and text layers over a new raw <c>FileIO</c>, as <c>io.open</c> makes them; <paramref name="result"/>
    /// is the outermost object made so far, for the caller to close when a layer fails. Not inlined: its C-API calls
    /// stay outside the caller's exception-handling region, where they are cheaper.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static nint Layers(nint raw, ref nint result, long buffering, bool binary, int kind, nint encoding, nint errors, nint newline, nint modeObject)
    {
        var lineBuffering = false;
        if (buffering == 1 || (buffering < 0 && !Has(raw, NotATty) && Backend.Fds.TryGet(Fd(raw), out var opened) && opened!.IsTerminal))
        {
            buffering = -1;
            lineBuffering = true;
        }

        if (buffering < 0)
        {
            buffering = BufferSize;
        }

        if (buffering == 0)
        {
            if (binary)
            {
                return raw;
            }

            throw new PythonArgumentException("can't have unbuffered text I/O", isValueError: true);
        }

        var layer = kind == 2 ? s_bufferedRandom : kind == 1 ? s_bufferedWriter : s_bufferedReader;
        LibPython.Py_IncRef(raw);
        var buffer = CallOrFail(layer, Py.Tuple(raw, Py.NewInt(buffering)));
        result = buffer;
        LibPython.Py_DecRef(raw);
        if (binary)
        {
            return buffer;
        }

        var chosen = CallOrFail(s_textEncoding, Py.Tuple(Incref(encoding == 0 ? LibPython.None : encoding)));
        LibPython.Py_IncRef(buffer);
        var text = CallOrFail(
            s_textIOWrapper,
            Py.Tuple(buffer, chosen, Incref(errors == 0 ? LibPython.None : errors), Incref(newline == 0 ? LibPython.None : newline), Py.NewBool(lineBuffering)));
        result = text;
        LibPython.Py_DecRef(buffer);
        LibPython.Py_IncRef(modeObject == 0 ? 0 : modeObject);
        var modeValue = modeObject == 0 ? Py.NewString("r") : modeObject;
        var set = s_setAttr(text, s_modeName, modeValue);
        LibPython.Py_DecRef(modeValue);
        if (set < 0)
        {
            throw new PythonErrorException();
        }

        return text;
    }

    /// <summary>Calls <paramref name="callable"/> with a tuple it steals; the result, or a <see cref="PythonErrorException"/>.</summary>
    private static nint CallOrFail(nint callable, nint tuple)
    {
        if (tuple == 0)
        {
            throw new PythonErrorException();
        }

        var result = LibPython.PyObject_Call(callable, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result != 0 ? result : throw new PythonErrorException();
    }

    private static nint CallMethodNoArgs(nint o, string name)
    {
        var method = Py.GetAttr(o, name);
        if (method == 0)
        {
            return 0;
        }

        var empty = LibPython.PyTuple_New(0);
        var result = empty == 0 ? 0 : LibPython.PyObject_Call(method, empty, 0);
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(method);
        return result;
    }

    /// <summary>(binary, the raw mode, 0 read / 1 write / 2 both) of an <c>open()</c> mode, as CPython checks it; cached per mode string.</summary>
    private static (bool Binary, string RawMode, int Kind) OpenModeOf(string mode)
    {
        if (OpenModes.TryGetValue(mode, out var known))
        {
            return known;
        }

        ModeOf(mode); // the raw checks: known letters, no repeats, exactly one of r/w/x/a
        var binary = mode.Contains('b', StringComparison.Ordinal);
        if (binary && mode.Contains('t', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("can't have text and binary mode at once", isValueError: true);
        }

        var rawMode = string.Concat(mode.Where(c => "rwxa+".Contains(c, StringComparison.Ordinal)));
        var kind = mode.Contains('+', StringComparison.Ordinal) ? 2 : mode.AsSpan().IndexOfAny("wxa") >= 0 ? 1 : 0;
        var result = (binary, rawMode, kind);
        if (OpenModes.Count < 64)
        {
            OpenModes[mode] = result;
        }

        return result;
    }

    // ---- methods ----

    [UnmanagedCallersOnly]
    private static nint Read(nint self, nint* args, nint nargs)
    {
        try
        {
            if (nargs > 1)
            {
                throw new PythonArgumentException($"read expected at most 1 argument, got {nargs}");
            }

            var size = -1L;
            if (nargs == 1 && args[0] != LibPython.None)
            {
                size = Arg.Long(args[0], "size");
            }

            if (size < 0)
            {
                return ReadAllCore(self);
            }

            var file = FileOf(self);
            Require(self, Readable);
            return PosixFunctions.ReadBytes(file, size);
        }
        catch (PythonIOException e) when (e.ErrorNumber == Errno.EAGAIN)
        {
            return Py.NewNone(); // a non-blocking pipe with nothing to read, as CPython's FileIO answers
        }
        catch (Exception e)
        {
            return Fail(e, "read");
        }
    }

    [UnmanagedCallersOnly]
    private static nint ReadAll(nint self, nint unused)
    {
        try
        {
            return ReadAllCore(self);
        }
        catch (PythonIOException e) when (e.ErrorNumber == Errno.EAGAIN)
        {
            return Py.NewNone(); // nothing to read yet from a non-blocking pipe
        }
        catch (Exception e)
        {
            return Fail(e, "read");
        }
    }

    private static nint ReadAllCore(nint self)
    {
        var file = FileOf(self);
        Require(self, Readable);

        // One read of what is left when the size is known (a seekable file), then chunks until end of file.
        var size = 1L << 16;
        if (file.Seekable)
        {
            var position = file.Seek(0, SeekOrigin.Current);
            var end = file.Seek(0, SeekOrigin.End);
            file.Seek(position, SeekOrigin.Begin);
            if (end >= position)
            {
                size = end - position + 1;
            }
        }

        var first = PosixFunctions.ReadBytes(file, size);
        if (first == 0 || *(nint*)(first + 16) == 0)
        {
            return first;
        }

        var list = LibPython.PyList_New(0);
        if (list == 0 || LibPython.PyList_Append(list, first) < 0)
        {
            LibPython.Py_DecRef(first);
            if (list != 0)
            {
                LibPython.Py_DecRef(list);
            }

            return 0;
        }

        LibPython.Py_DecRef(first);
        while (true)
        {
            nint chunk;
            try
            {
                chunk = PosixFunctions.ReadBytes(file, 1 << 16);
            }
            catch (PythonIOException e) when (e.ErrorNumber == Errno.EAGAIN)
            {
                break; // a non-blocking pipe with no more for now: what was read so far
            }

            if (chunk == 0)
            {
                LibPython.Py_DecRef(list);
                return 0;
            }

            var length = *(nint*)(chunk + 16);
            if (length == 0)
            {
                LibPython.Py_DecRef(chunk);
                break;
            }

            var appended = LibPython.PyList_Append(list, chunk);
            LibPython.Py_DecRef(chunk);
            if (appended < 0)
            {
                LibPython.Py_DecRef(list);
                return 0;
            }
        }

        return JoinBytes(list);
    }

    /// <summary>The bytes of a list of one or more bytes objects (steals the list).</summary>
    private static nint JoinBytes(nint list)
    {
        try
        {
            var count = *(nint*)(list + 16);
            var items = *(nint**)(list + 24);
            if (count == 1)
            {
                LibPython.Py_IncRef(items[0]);
                return items[0];
            }

            long total = 0;
            for (var i = 0; i < count; i++)
            {
                total += *(nint*)(items[i] + 16);
            }

            var result = LibPython.PyBytes_FromStringAndSize(null, (nint)total);
            if (result == 0)
            {
                return 0;
            }

            var target = (byte*)(result + 32);
            for (var i = 0; i < count; i++)
            {
                var length = *(nint*)(items[i] + 16);
                Buffer.MemoryCopy((byte*)(items[i] + 32), target, length, length);
                target += length;
            }

            return result;
        }
        finally
        {
            LibPython.Py_DecRef(list);
        }
    }

    [UnmanagedCallersOnly]
    private static nint ReadInto(nint self, nint buffer)
    {
        try
        {
            var file = FileOf(self);
            Require(self, Readable);
            using var view = Arg.BufferOf(buffer, writable: true);
            return Py.NewInt(PosixFunctions.ReadSpan(file, view.Span));
        }
        catch (PythonIOException e) when (e.ErrorNumber == Errno.EAGAIN)
        {
            return Py.NewNone();
        }
        catch (Exception e)
        {
            return Fail(e, "readinto");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Write(nint self, nint data)
    {
        try
        {
            var file = FileOf(self);
            Require(self, Writable);
            using var view = Arg.BufferOf(data);
            return Py.NewInt(PosixFunctions.WriteSpan(file, view.Span));
        }
        catch (PythonIOException e) when (e.ErrorNumber == Errno.EAGAIN)
        {
            // A full non-blocking pipe: the buffered layer raises BlockingIOError with what it wrote, and with the C errno,
            // which CPython's FileIO leaves at EAGAIN here.
            System.Runtime.InteropServices.Marshal.SetLastSystemError(Errno.EAGAIN);
            return Py.NewNone();
        }
        catch (Exception e)
        {
            return Fail(e, "write");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Seek(nint self, nint* args, nint nargs)
    {
        try
        {
            if (nargs is < 1 or > 2)
            {
                throw new PythonArgumentException($"seek expected 1 or 2 arguments, got {nargs}");
            }

            if (LibPython.PyObject_IsInstance(args[0], LibPython.FloatType) == 1)
            {
                throw new PythonArgumentException("an integer is required");
            }

            var position = Arg.Long(args[0], "pos");
            var whence = nargs == 2 ? Arg.ToInt(Arg.Long(args[1], "whence"), "whence") : 0;
            return Py.NewInt(PosixFunctions.Seek(FileOf(self), position, whence));
        }
        catch (Exception e)
        {
            return Fail(e, "lseek");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Tell(nint self, nint unused)
    {
        try
        {
            return Py.NewInt(FileOf(self).Seek(0, SeekOrigin.Current));
        }
        catch (Exception e)
        {
            return Fail(e, "lseek");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Truncate(nint self, nint* args, nint nargs)
    {
        try
        {
            if (nargs > 1)
            {
                throw new PythonArgumentException($"truncate expected at most 1 argument, got {nargs}");
            }

            var file = FileOf(self);
            Require(self, Writable);
            var size = nargs == 1 && args[0] != LibPython.None ? Arg.Long(args[0], "size") : file.Seek(0, SeekOrigin.Current);
            if (size < 0)
            {
                throw new PythonIOException(Errno.EINVAL, "Invalid argument");
            }

            file.Truncate(size);
            return Py.NewInt(size);
        }
        catch (Exception e)
        {
            return Fail(e, "ftruncate");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Close(nint self, nint unused)
    {
        try
        {
            if (Fd(self) < 0)
            {
                return Py.NewNone();
            }

            // IOBase.close flushes (Python code of a subclass may run) and marks the object closed.
            LibPython.Py_IncRef(self);
            var selfTuple = Py.Tuple(self);
            var result = selfTuple == 0 ? 0 : LibPython.PyObject_Call(s_baseClose, selfTuple, 0);
            if (selfTuple != 0)
            {
                LibPython.Py_DecRef(selfTuple);
            }

            // An unclosed file closed by its finalizer (IOBase's tp_finalize sets _finalizing): ResourceWarning, as CPython's FileIO.
            // The flush's error (result 0) is set meanwhile: kept aside while _finalizing is read and the warning is made.
            if (Fd(self) >= 0 && Has(self, CloseFd))
            {
                var pending = result == 0 ? SaveError() : default;
                if (IsFinalizing(self))
                {
                    WarnUnclosed(self, self);
                }

                if (result == 0)
                {
                    RestoreError(pending);
                }
            }

            // Read and cleared together, under the GIL: a close racing on another thread finds -1 and closes nothing.
            var fd = Fd(self);
            Fd(self) = -1;
            if (fd >= 0 && Has(self, CloseFd))
            {
                var error = result == 0 ? SaveError() : default;
                try
                {
                    Backend.Fds.Close(fd);
                }
                catch (Exception) when (result == 0)
                {
                    // The flush's error is the one reported.
                }
                finally
                {
                    if (result == 0)
                    {
                        RestoreError(error);
                    }
                }
            }

            return result;
        }
        catch (Exception e)
        {
            return Fail(e, "close");
        }
    }

    [UnmanagedCallersOnly]
    private static nint FileNo(nint self, nint unused)
    {
        try
        {
            CheckOpen(self);
            return Py.NewInt(Fd(self));
        }
        catch (Exception e)
        {
            return Fail(e, "fileno");
        }
    }

    [UnmanagedCallersOnly]
    private static nint IsATty(nint self, nint unused)
    {
        try
        {
            CheckOpen(self);
            return Py.NewBool(!Has(self, NotATty) && Backend.Fds.TryGet(Fd(self), out var file) && file!.IsTerminal);
        }
        catch (Exception e)
        {
            return Fail(e, "isatty");
        }
    }

    [UnmanagedCallersOnly]
    private static nint IsReadable(nint self, nint unused) => Flag(self, Readable, "readable");

    [UnmanagedCallersOnly]
    private static nint IsWritable(nint self, nint unused) => Flag(self, Writable, "writable");

    private static nint Flag(nint self, int bit, string operation)
    {
        try
        {
            CheckOpen(self);
            return Py.NewBool(Has(self, bit));
        }
        catch (Exception e)
        {
            return Fail(e, operation);
        }
    }

    [UnmanagedCallersOnly]
    private static nint IsSeekable(nint self, nint unused)
    {
        try
        {
            CheckOpen(self);
            if (!Has(self, SeekableKnown))
            {
                bool seekable;
                try
                {
                    FileOf(self).Seek(0, SeekOrigin.Current);
                    seekable = true;
                }
                catch (PythonIOException)
                {
                    seekable = false;
                }

                Bits(self) |= SeekableKnown | (seekable ? SeekableValue : 0);
            }

            return Py.NewBool(Has(self, SeekableValue));
        }
        catch (Exception e)
        {
            return Fail(e, "seekable");
        }
    }

    /// <summary>
    /// <c>_dealloc_warn(source)</c>: a buffered object or text wrapper finalized while its raw file is open calls it, so that
    /// the ResourceWarning names the object the code held. Nothing when the file is closed or does not own its descriptor.
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint DeallocWarn(nint self, nint source)
    {
        if (Fd(self) >= 0 && Has(self, CloseFd))
        {
            WarnUnclosed(self, source);
        }

        return Py.NewNone();
    }

    /// <summary>Whether IOBase's finalizer is closing the file (it sets <c>_finalizing</c> in the instance's dict first).</summary>
    private static bool IsFinalizing(nint self)
    {
        var value = Py.GetAttr(self, "_finalizing");
        if (value == 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }

        var truth = LibPython.PyObject_IsTrue(value);
        LibPython.Py_DecRef(value);
        if (truth < 0)
        {
            LibPython.PyErr_Clear();
        }

        return truth > 0;
    }

    /// <summary>
    /// <c>ResourceWarning("unclosed file ...", source=source)</c> through <c>_warnings.warn</c>; a warning turned into an
    /// error cannot propagate from a finalizer, so it is reported as unraisable, as CPython does. Leaves no error set.
    /// </summary>
    private static void WarnUnclosed(nint self, nint source)
    {
        var repr = s_repr(source);
        var warnings = repr == 0 ? 0 : Py.Import("_warnings");
        var warn = warnings == 0 ? 0 : Py.GetAttr(warnings, "warn");
        LibPython.Py_DecRef(warnings);
        nint result = 0;
        if (warn != 0)
        {
            var message = Py.NewString("unclosed file " + (Py.ReadString(repr) ?? string.Empty));
            LibPython.Py_IncRef(s_resourceWarning);
            LibPython.Py_IncRef(source);
            var arguments = Py.Tuple(message, s_resourceWarning, Py.NewInt(1), source);
            result = arguments == 0 ? 0 : LibPython.PyObject_Call(warn, arguments, 0);
            LibPython.Py_DecRef(arguments);
            LibPython.Py_DecRef(warn);
        }

        LibPython.Py_DecRef(repr);
        if (result != 0)
        {
            LibPython.Py_DecRef(result);
        }
        else if (LibPython.PyErr_Occurred() != 0)
        {
            s_writeUnraisable(self);
        }
    }

    [UnmanagedCallersOnly]
    private static nint GetState(nint self, nint unused)
    {
        try
        {
            return Py.SetError(LibPython.ExcTypeError, $"cannot pickle '{Py.TypeName(self)}' instances");
        }
        catch (Exception e)
        {
            return Fail(e, "__getstate__");
        }
    }

    // ---- attributes ----

    [UnmanagedCallersOnly]
    private static nint GetClosed(nint self, nint closure) => Py.NewBool(Fd(self) < 0);

    [UnmanagedCallersOnly]
    private static nint GetCloseFd(nint self, nint closure) => Py.NewBool(Has(self, CloseFd));

    [UnmanagedCallersOnly]
    private static nint GetBlockSize(nint self, nint closure) => Py.NewInt(BufferSize);

    [UnmanagedCallersOnly]
    private static nint GetMode(nint self, nint closure)
    {
        try
        {
            return Py.NewString(ModeName(Bits(self)));
        }
        catch (Exception e)
        {
            return Fail(e, "mode");
        }
    }

    private static string ModeName(int bits)
    {
        var readable = (bits & Readable) != 0;
        return (bits & Created) != 0 ? (readable ? "xb+" : "xb")
            : (bits & Appending) != 0 ? (readable ? "ab+" : "ab")
            : readable ? ((bits & Writable) != 0 ? "rb+" : "rb")
            : "wb";
    }

    [UnmanagedCallersOnly]
    private static nint Repr(nint self)
    {
        try
        {
            if (Fd(self) < 0)
            {
                return Py.NewString("<_io.FileIO [closed]>");
            }

            var mode = ModeName(Bits(self));
            var closeFd = Has(self, CloseFd) ? "True" : "False";
            var name = Py.GetAttr(self, "name");
            if (name == 0)
            {
                LibPython.PyErr_Clear();
                return Py.NewString($"<_io.FileIO fd={Fd(self)} mode='{mode}' closefd={closeFd}>");
            }

            try
            {
                var entered = s_reprEnter(self);
                if (entered != 0)
                {
                    return entered > 0 ? Py.SetError(LibPython.ExcRuntimeError, "reentrant call inside FileIO.__repr__") : 0;
                }

                nint nameRepr;
                try
                {
                    nameRepr = s_repr(name);
                }
                finally
                {
                    s_reprLeave(self);
                }

                if (nameRepr == 0)
                {
                    return 0;
                }

                var text = Py.ReadString(nameRepr);
                LibPython.Py_DecRef(nameRepr);
                return text is null ? 0 : Py.NewString($"<_io.FileIO name={text} mode='{mode}' closefd={closeFd}>");
            }
            finally
            {
                LibPython.Py_DecRef(name);
            }
        }
        catch (Exception e)
        {
            return Fail(e, "repr");
        }
    }

    private static (nint Type, nint Value, nint Traceback) SaveError()
    {
        nint type, value, traceback;
        LibPython.PyErr_Fetch(&type, &value, &traceback);
        return (type, value, traceback);
    }

    private static void RestoreError((nint Type, nint Value, nint Traceback) error) => LibPython.PyErr_Restore(error.Type, error.Value, error.Traceback);

    /// <summary>A method the file's mode does not allow: <c>io.UnsupportedOperation</c>, not logged as a compatibility gap.</summary>
    private sealed class NotPermittedByModeException(string message) : Exception(message);
}
