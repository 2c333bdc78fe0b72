using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_io</c>: <c>open</c> and <c>open_code</c> go through the managed layer, and the
/// original <c>FileIO</c> type (which opens host files and wraps host descriptors) can no longer
/// be instantiated, even when found through <c>object.__subclasses__()</c>. The original type is
/// a static type of the interpreter library, one per process: it is disabled once, for the process.
/// </summary>
internal sealed unsafe class IoModule
{
    private const int TpNewOffset = 312;
    private static nint s_originalFileIO;
    private readonly ManagedBackend _backend;

    /// <summary><c>_io.BytesIO</c> of the first instance, taken before user code runs (a static type, kept for the process).</summary>
    private nint _bytesIO;

    /// <summary>Initializes a new instance of the <see cref="IoModule"/> class, opening files through <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public IoModule(ManagedBackend backend) => _backend = backend;

    public int Patch(nint module)
    {
        var unsupported = Py.GetAttr(module, "UnsupportedOperation");
        if (unsupported != 0 && ManagedErrors.UnsupportedOperationClass == 0)
        {
            // The first _io's class is the one io exports: a fresh _io copy must not replace it.
            ManagedErrors.UnsupportedOperationClass = unsupported; // kept for the process
        }
        else if (unsupported != 0)
        {
            LibPython.Py_DecRef(unsupported);
        }

        if (_bytesIO == 0)
        {
            _bytesIO = Py.GetAttr(module, "BytesIO");
            if (_bytesIO == 0)
            {
                return -1;
            }
        }

        var fileIO = Py.GetAttr(module, "FileIO");
        if (fileIO != 0 && s_originalFileIO == 0)
        {
            s_originalFileIO = fileIO;
            *(nint*)(fileIO + TpNewOffset) = (nint)(delegate* unmanaged<nint, nint, nint, nint>)&DeniedNew;
        }
        else if (fileIO != 0)
        {
            LibPython.Py_DecRef(fileIO);
        }

        Py.SetAttr(module, "open", _backend.FunctionFor("_io.open", "file, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None", args => FileIOType.Open(_backend, args)));
        Py.SetAttr(module, "open_code", _backend.FunctionFor("_io.open_code", "path", OpenCode));
        if (ManagedShimReady)
        {
            Py.SetAttr(module, "FileIO", ManagedShim.Get("FileIO"));
        }

        return 0;
    }

    /// <summary>Gets or sets a value indicating whether the shim may be loaded (after the interpreter started).</summary>
    public bool ManagedShimReady { get; set; }

    /// <summary><c>io.open_code</c>: reads code for imports, allowed below the Python home and the module paths.</summary>
    private nint OpenCode(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path");
        var backend = _backend;
        var resolved = ManagedPath.Resolve(backend.WorkingDirectory, p.Path!);
        backend.CheckReadCode(resolved);
        if (resolved.EndsWith(".pyc", StringComparison.Ordinal) && !backend.FileSystem.IsSystemPath(resolved))
        {
            // Only the Python home's own bytecode may be unmarshalled: elsewhere the import system compiles the source.
            throw new PythonIOException(Errno.ENOENT, "bytecode outside the Python home is not used by the managed backend");
        }

        var (fs, inner, _) = backend.FileSystem.Route(resolved);
        ManagedErrors.SetPaths(p.Path);
        byte[] data;
        using (var stream = fs.Open(inner, PythonOpenFlags.Read))
        {
            data = ReadCounted(stream);
        }

        // The .NET copy counts against the memory limit until Python holds its own.
        try
        {
            ManagedErrors.SetPaths(null);
            if (backend.FileSystem.IsSystemPath(resolved) && resolved.EndsWith(".pyc", StringComparison.Ordinal))
            {
                backend.TrustedBytecode.Record(data);
            }

            // Never a lookup in sys.modules or the module's namespace: Python code can change both.
            var bytes = Py.NewBytes(data);
            if (bytes == 0)
            {
                return 0;
            }

            var tuple = Py.Tuple(bytes);
            var result = Py.Call(_bytesIO, tuple, 0, "io.BytesIO");
            if (tuple != 0)
            {
                LibPython.Py_DecRef(tuple);
            }

            return result;
        }
        finally
        {
            PythonInterpreter.ReleaseHostMemory(data.Length);
        }
    }

    /// <summary>Reads a whole file into one array, its size reserved against the memory limit first (the caller releases it).</summary>
    private static byte[] ReadCounted(Stream stream)
    {
        const string tooLarge = "Cannot allocate memory: the file would pass PythonRuntime:MemoryLimit";
        if (stream.CanSeek)
        {
            var length = stream.Length - stream.Position;
            if (length > Array.MaxLength || !PythonInterpreter.TryReserveHostMemory(length))
            {
                throw new PythonIOException(Errno.ENOMEM, tooLarge);
            }

            var data = new byte[length];
            var total = 0;
            int n;
            while (total < data.Length && (n = stream.Read(data, total, data.Length - total)) > 0)
            {
                total += n;
            }

            PythonInterpreter.ReleaseHostMemory(length - total);
            return total == data.Length ? data : data[..total];
        }

        // A stream of unknown length: each chunk is reserved before it is kept.
        using var copy = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > Array.MaxLength || !PythonInterpreter.TryReserveHostMemory(read))
            {
                PythonInterpreter.ReleaseHostMemory(copy.Length);
                throw new PythonIOException(Errno.ENOMEM, tooLarge);
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static nint DeniedNew(nint type, nint args, nint kwargs)
    {
        try
        {
            var key = ManagedBackend.IOKey;
            if (PythonInterpreter.Backend is ManagedBackend backend)
            {
                CompatibilityLog.Unsupported(backend.Compatibility, "the original io.FileIO type was instantiated");
                key = backend.Key(key);
            }

            return Py.SetOSError(Errno.EACCES, $"the original io.FileIO is not available in the managed backend: use open(), which follows {key}");
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcPermissionError, "the original io.FileIO is not available in the managed backend");
        }
    }
}
