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

        Py.SetAttr(module, "open", _backend.FunctionFor("_io.open", "file, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None", args => args.Forward(ManagedShim.Get("open"))));
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
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            data = copy.ToArray();
        }

        ManagedErrors.SetPaths(null);
        if (backend.FileSystem.IsSystemPath(resolved) && resolved.EndsWith(".pyc", StringComparison.Ordinal))
        {
            backend.TrustedBytecode.Record(data);
        }

        var io = Py.Import("_io");
        var bytesIO = Py.GetAttr(io, "BytesIO");
        LibPython.Py_DecRef(io);
        var tuple = Py.Tuple(Py.NewBytes(data));
        var result = LibPython.PyObject_Call(bytesIO, tuple, 0);
        LibPython.Py_DecRef(tuple);
        LibPython.Py_DecRef(bytesIO);
        return result;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static nint DeniedNew(nint type, nint args, nint kwargs)
    {
        try
        {
            if (PythonInterpreter.Backend is ManagedBackend backend)
            {
                CompatibilityLog.Unsupported(backend.Compatibility, "the original io.FileIO type was instantiated");
            }

            return Py.SetOSError(Errno.EACCES, $"the original io.FileIO is not available in the managed backend: use open(), which follows {ManagedBackend.IOKey}");
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcPermissionError, "the original io.FileIO is not available in the managed backend");
        }
    }
}
