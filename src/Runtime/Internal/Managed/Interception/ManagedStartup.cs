using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Modules;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// Finishes the Managed backend once the interpreter runs (GIL held): the managed FileIO and
/// <c>_posixsubprocess</c>, an explicit <c>sys.path</c>, a capped recursion limit, a check of the
/// isolation flags, and the seal that ends start-up.
/// </summary>
internal static unsafe class ManagedStartup
{
    public const int MaxRecursionLimit = 10_000;

    /// <summary>Gets a value indicating whether the interpreter has finished starting (CPython's own start-up code has run).</summary>
    public static bool Started { get; private set; }

    public static void Complete(ManagedBackend backend, PythonInstallation installation)
    {
        VerifyFlags();
        DeniedTypes.Apply(started: true);
        if (LibraryDescriptorCalls.Install(LibPython.Handle) is { } notRedirected)
        {
            CompatibilityLog.LibraryDescriptorCallsNotRedirected(backend.Compatibility, notRedirected);
        }

        Started = true;
        backend.Modules.Io.ManagedShimReady = true;
        var io = Py.Import("_io");
        if (io == 0 || Py.SetAttr(io, "FileIO", ManagedShim.Get("FileIO")) < 0)
        {
            throw PythonErrors.FromCurrent("installing the managed FileIO");
        }

        LibPython.Py_DecRef(io);
        var ioPy = Py.Import("io");
        if (ioPy != 0)
        {
            Py.SetAttr(ioPy, "FileIO", ManagedShim.Get("FileIO"));

            // As io registers CPython's FileIO: isinstance(f, io.RawIOBase) and io.IOBase hold for the managed one too.
            var rawIOBase = Py.GetAttr(ioPy, "RawIOBase");
            var register = rawIOBase == 0 ? 0 : Py.GetAttr(rawIOBase, "register");
            LibPython.Py_IncRef(ManagedShim.Get("FileIO"));
            var tuple = register == 0 ? 0 : Py.Tuple(ManagedShim.Get("FileIO"));
            LibPython.Py_DecRef(Py.Call(register, tuple, 0, "io.RawIOBase.register"));
            LibPython.Py_DecRef(tuple);
            LibPython.Py_DecRef(register);
            LibPython.Py_DecRef(rawIOBase);
            LibPython.Py_DecRef(ioPy);
        }

        LibPython.PyErr_Clear();

        // os.scandir's entries are the shim's DirEntry: it stands as posix.DirEntry and os.DirEntry (isinstance, annotations).
        foreach (var name in (string[])["posix", "os"])
        {
            var module = Py.Import(name);
            if (module == 0 || Py.SetAttr(module, "DirEntry", ManagedShim.Get("DirEntry")) < 0)
            {
                throw PythonErrors.FromCurrent("installing the managed DirEntry");
            }

            LibPython.Py_DecRef(module);
        }

        var modules = LibPython.PyImport_GetModuleDict();
        var subprocess = backend.Modules.Subprocess.Create();
        fixed (byte* n = "_posixsubprocess\0"u8)
        {
            if (subprocess == 0 || LibPython.PyDict_SetItemString(modules, n, subprocess) < 0)
            {
                throw PythonErrors.FromCurrent("installing the managed _posixsubprocess");
            }
        }

        LibPython.Py_DecRef(subprocess);

        // subprocess asks sys.stdout/sys.stderr for their descriptors (stdout=sys.stdout, stderr=STDOUT): the runtime's 1 and 2.
        var bound = ManagedShim.Call("bind_standard_streams");
        if (bound == 0)
        {
            throw PythonErrors.FromCurrent("binding the standard streams");
        }

        LibPython.Py_DecRef(bound);

        var paths = new List<string> { installation.StandardLibrary, installation.DynLoad };
        paths.AddRange(backend.CodeRoots);
        paths.AddRange(backend.VirtualEnvironmentPaths.Where(p => !paths.Contains(p)));
        paths.AddRange(backend.FileSystem.SystemRoots.Where(r => r != installation.StandardLibrary && r != ManagedBackend.TimeZoneDatabase && !paths.Contains(r)));
        var sys = Py.Import("sys");
        var list = sys == 0 ? 0 : ValueConverter.ToPython(paths);
        if (list == 0 || Py.SetAttr(sys, "path", list) < 0)
        {
            throw PythonErrors.FromCurrent("setting sys.path");
        }

        LibPython.Py_DecRef(list);
        var limit = Py.GetAttr(sys, "setrecursionlimit");
        if (limit == 0)
        {
            throw PythonErrors.FromCurrent("capping the recursion limit");
        }

        Py.SetAttr(sys, "setrecursionlimit", backend.FunctionFor("sys.setrecursionlimit", "limit, /", args =>
        {
            var requested = Arg.Long(args, 0, "limit");
            if (requested > MaxRecursionLimit)
            {
                CompatibilityLog.RecursionLimitCapped(backend.Compatibility, requested, MaxRecursionLimit);
                requested = MaxRecursionLimit;
            }

            var tuple = Py.Tuple(Py.NewInt(requested));
            var result = Py.Call(limit, tuple, 0, "sys.setrecursionlimit");
            LibPython.Py_DecRef(tuple);
            return result;
        }));
        LibPython.Py_DecRef(sys);
        FinishIsolation(backend);
        backend.TrustedBytecode.Enforcing = true;
    }

    /// <summary>
    /// Announces the end of Python-level start-up, which seals the interpreter (<see cref="InterpreterSeal"/>),
    /// then explains the modules left out of the inittab. Python never had a .NET module, importer or type to reach:
    /// the embedding is C function pointers only.
    /// </summary>
    private static void FinishIsolation(ManagedBackend backend)
    {
        var shim = EmbeddedPython.Run("pyhosting_isolate.py");
        try
        {
            LibPython.Py_DecRef(EmbeddedPython.Call(shim, "isolate"));

            // The arguments' references are the call's (stolen).
            var reasons = ValueConverter.ToPython(Inittab.Dropped.ToDictionary(n => n, ManagedBackend.WhyUnavailable));
            var hostPackages = ValueConverter.ToPython(backend.HostPackagesOffPath().ToList());
            var emulated = LibPython.PyDict_New();
            var faultHandler = FaultHandlerEmulation.Create(backend);
            fixed (byte* name = "faulthandler\0"u8)
            {
                if (faultHandler == 0 || LibPython.PyDict_SetItemString(emulated, name, faultHandler) < 0)
                {
                    LibPython.Py_DecRef(faultHandler);
                    LibPython.Py_DecRef(emulated);
                    throw PythonErrors.FromCurrent("preparing the managed faulthandler");
                }
            }

            LibPython.Py_DecRef(faultHandler);
            AddEmulation(emulated, "pwd", UserDatabaseEmulation.CreatePwd(backend));
            AddEmulation(emulated, "grp", UserDatabaseEmulation.CreateGrp(backend));
            LibPython.Py_DecRef(EmbeddedPython.Call(shim, "explain_unavailable", reasons, hostPackages, emulated));
        }
        finally
        {
            LibPython.Py_DecRef(shim);
        }
    }

    /// <summary>Adds an emulated module's <c>(source, note)</c> pair (a new reference, released here) to the finder's dictionary.</summary>
    private static void AddEmulation(nint emulated, string name, nint pair)
    {
        var key = Py.NewString(name);
        var failed = pair == 0 || key == 0 || LibPython.PyDict_SetItem(emulated, key, pair) < 0;
        LibPython.Py_DecRef(key);
        if (failed)
        {
            LibPython.Py_DecRef(pair);
            LibPython.Py_DecRef(emulated);
            throw PythonErrors.FromCurrent("preparing the managed " + name);
        }

        LibPython.Py_DecRef(pair);
    }

    private static void VerifyFlags()
    {
        var sys = Py.Import("sys");
        var flags = Py.GetAttr(sys, "flags");
        LibPython.Py_DecRef(sys);
        try
        {
            foreach (var name in (ReadOnlySpan<string>)["isolated", "ignore_environment", "no_user_site", "safe_path", "dont_write_bytecode", "no_site"])
            {
                var value = Py.GetAttr(flags, name);
                var on = value != 0 && LibPython.PyObject_IsTrue(value) == 1;
                if (value != 0)
                {
                    LibPython.Py_DecRef(value);
                }

                if (!on)
                {
                    LibPython.PyErr_Clear();
                    throw new PythonStartupException($"The interpreter did not start isolated (sys.flags.{name} is off); the managed backend refuses to run.");
                }
            }
        }
        finally
        {
            LibPython.Py_DecRef(flags);
        }
    }
}
