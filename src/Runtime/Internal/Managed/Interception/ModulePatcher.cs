using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Modules;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// Dispatches the patch of each tamed built-in module (every instance of it) to the modules of one backend.
/// The originals it keeps are process-wide: they are CPython's own C functions, bound to the first instance of their module.
/// </summary>
internal sealed unsafe class ModulePatcher
{
    private static readonly Dictionary<string, nint> Originals = [];
    private readonly ManagedBackend _backend;
    private readonly PosixModule _posix;
    private readonly ThreadModule _thread;
    private readonly SignalModule _signal;
    private readonly DateTimeModule _dateTime;
    private readonly ImpModule _imp;
    private readonly SelectModule _select;
    private readonly SocketModule _socket;
    private readonly FcntlModule _fcntl;

    /// <summary>Initializes a new instance of the <see cref="ModulePatcher"/> class: the modules of <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend the managed functions serve.</param>
    public ModulePatcher(ManagedBackend backend)
    {
        _backend = backend;
        _posix = new PosixModule(backend, this);
        Io = new IoModule(backend);
        Time = new TimeModule(backend, this);
        _signal = new SignalModule(backend, this);
        _thread = new ThreadModule(backend, this, _signal);
        _dateTime = new DateTimeModule(backend);
        _imp = new ImpModule(backend, this);
        _select = new SelectModule(backend, this);
        _socket = new SocketModule(backend, this);
        _fcntl = new FcntlModule(backend, this);
        if (backend.Permissions.HostSockets)
        {
            // CPython's socket type is the module's own then: it stays constructible.
            DeniedTypes.Allow("_socket.socket");
        }

        Subprocess = new SubprocessModule(backend);
    }

    /// <summary>Gets the managed <c>_io</c>.</summary>
    public IoModule Io { get; }

    /// <summary>Gets the managed <c>time</c>, whose clocks other modules read too.</summary>
    public TimeModule Time { get; }

    /// <summary>Gets the managed <c>_posixsubprocess</c>.</summary>
    public SubprocessModule Subprocess { get; }

    public int Patch(string name, nint module)
    {
        try
        {
            var result = name switch
            {
                "posix" => _posix.Patch(module),
                "_io" => Io.Patch(module),
                "time" => Time.Patch(module),
                "_thread" => _thread.Patch(module),
                "_signal" => _signal.Patch(module),
                "_datetime" => _dateTime.Patch(module),
                "_imp" => _imp.Patch(module),
                "select" => _select.Patch(module),
                "_socket" => _socket.Patch(module),
                "fcntl" => _fcntl.Patch(module),
                _ => 0,
            };

            // The module's types exist now (its own exec ran first): a fresh copy's types are refused before Python sees them.
            if (result == 0 && TypeClassification.Denied.Keys.Any(t => t.StartsWith(name + ".", StringComparison.Ordinal)))
            {
                DeniedTypes.Apply(ManagedStartup.Started);
            }

            return result;
        }
        catch (Exception e)
        {
            Py.SetError(LibPython.ExcImportError, $"module {name} could not be prepared by the managed backend: {e.Message}");
            return -1;
        }
    }

    /// <summary>Whether a wrapped multi-phase module keeps the original of <paramref name="name"/> in its method table.</summary>
    public static bool KeepsOriginal(string module, string name) => module switch
    {
        "posix" => PosixModule.Pure.Contains(name),
        "time" => TimeModule.Kept.Contains(name),
        "_thread" => ThreadModule.Kept.Contains(name),
        "_signal" => SignalModule.Kept.Contains(name),
        "_imp" => name != "create_dynamic",
        _ => false,
    };

    /// <summary>
    /// Keeps the original of <c>module.name</c> in host memory, out of Python's reach, and installs a
    /// managed replacement. The original comes from the definition's method table (bound to the first
    /// instance) or, for single-phase modules, from the module itself. Returns it (borrowed, kept for the process).
    /// </summary>
    public nint Replace(nint module, string moduleName, string name, string signature, BridgeHandler handler)
        => Replace(module, moduleName, name, BridgeSignature.Parse(signature), handler);

    /// <inheritdoc cref="Replace(nint, string, string, string, BridgeHandler)"/>
    public nint Replace(nint module, string moduleName, string name, BridgeSignature signature, BridgeHandler handler)
    {
        var key = moduleName + "." + name;
        nint original;
        lock (Originals)
        {
            if (!Originals.TryGetValue(key, out original))
            {
                var def = Inittab.OriginalMethod(moduleName, name);
                if (def != 0)
                {
                    var moduleNameObject = Py.NewString(moduleName);
                    LibPython.Py_IncRef(module);
                    original = LibPython.PyCFunction_NewEx(def, module, moduleNameObject);
                    LibPython.Py_DecRef(moduleNameObject);
                }
                else
                {
                    original = Py.GetAttr(module, name);
                }

                if (original == 0)
                {
                    LibPython.PyErr_Clear();
                }

                Originals[key] = original;
            }
        }

        Py.SetAttr(module, name, _backend.FunctionFor(key, signature, handler));
        return original;
    }

    /// <summary>Installs an UnsupportedOperation raiser for every function the definition declared that is neither kept nor managed.</summary>
    public void DenyUnclassified(nint module, string moduleName, Func<string, bool> classified, ISet<string>? removed = null)
    {
        foreach (var n in Inittab.MethodNames(moduleName))
        {
            if (KeepsOriginal(moduleName, n) || classified(n))
            {
                continue;
            }

            if (removed?.Contains(n) == true)
            {
                continue;
            }

            var qualified = (moduleName == "posix" ? "os" : moduleName.TrimStart('_')) + "." + n;
            Py.SetAttr(module, n, _backend.FunctionFor(moduleName + "." + n, BridgeSignature.Any, _ => throw new UnsupportedOperationException($"{qualified} is not supported by the managed backend")));
        }
    }

    /// <summary>Gets a kept original (borrowed), or 0.</summary>
    public static nint Original(string moduleName, string name)
    {
        lock (Originals)
        {
            return Originals.TryGetValue(moduleName + "." + name, out var o) ? o : 0;
        }
    }

}
