using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches every instance of <c>posix</c>: managed functions replace the OS entry points, pure
/// functions stay, a few names disappear (so that the standard library takes its portable paths),
/// and anything else callable is replaced by a function raising <c>io.UnsupportedOperation</c>:
/// a new OS entry point in a Python update is denied until it is classified.
/// </summary>
internal sealed unsafe class PosixModule
{
    /// <summary>The <c>HAVE_*</c> names the managed functions honour (see <c>os.supports_fd</c> and <c>os.supports_follow_symlinks</c>).</summary>
    /// <remarks>
    /// <c>dir_fd</c> for every function CPython takes it in on Linux, except <c>mkfifo</c> and <c>mknod</c> (unsupported);
    /// descriptors where the managed function takes one (not <c>pathconf</c>, <c>statvfs</c> or <c>execve</c>);
    /// <c>follow_symlinks=False</c> for <c>access</c>, <c>chown</c>, <c>link</c>, <c>stat</c> and <c>utime</c> (not
    /// <c>chmod</c>: links have no mode of their own on Linux, and <c>lchmod</c> stays absent as there). The runtime's
    /// effective ids are its real ids, so <c>access</c> takes <c>effective_ids</c>.
    /// </remarks>
    private static readonly string[] HaveFunctions =
    [
        "HAVE_FACCESSAT", "HAVE_FCHDIR", "HAVE_FCHMOD", "HAVE_FCHMODAT", "HAVE_FCHOWN", "HAVE_FCHOWNAT", "HAVE_FDOPENDIR",
        "HAVE_FSTATAT", "HAVE_FTRUNCATE", "HAVE_FUTIMENS", "HAVE_FUTIMESAT", "HAVE_LCHOWN", "HAVE_LINKAT", "HAVE_LSTAT",
        "HAVE_LUTIMES", "HAVE_MKDIRAT", "HAVE_OPENAT", "HAVE_READLINKAT", "HAVE_RENAMEAT", "HAVE_SYMLINKAT", "HAVE_UNLINKAT",
        "HAVE_UTIMENSAT",
    ];

    /// <summary>
    /// Functions with no effect outside the interpreter, kept as they are. None takes an argument that names an OS
    /// object (a pid, thread, descriptor or clock): those are managed (PosixFunctions.Identity) or denied.
    /// </summary>
    public static readonly HashSet<string> Pure = new(StringComparer.Ordinal)
    {
        "WCOREDUMP", "WEXITSTATUS", "WIFCONTINUED", "WIFEXITED", "WIFSIGNALED", "WIFSTOPPED", "WSTOPSIG", "WTERMSIG",
        "waitstatus_to_exitcode", "_path_normpath", "fspath", "strerror", "cpu_count", "urandom", "getrandom",
        "sched_get_priority_max", "sched_get_priority_min", "sched_yield",
        "sysconf", "confstr", "major", "minor", "makedev", "register_at_fork",
    };

    /// <summary>
    /// Names removed so that <c>hasattr(os, ...)</c> is false and the standard library falls back. <c>execv</c> and
    /// <c>execve</c> stay, refused like any unsupported call: <c>os.execl</c>, <c>os.execvp</c> and the rest of the
    /// family are Python functions that call them, and would otherwise fail with a <c>NameError</c>.
    /// </summary>
    public static readonly HashSet<string> Removed = new(StringComparer.Ordinal)
    {
        "fork", "forkpty", "posix_spawn", "posix_spawnp", "openpty", "login_tty", "wait3", "wait4",
        "waitid", "pidfd_open",
    };

    /// <summary>Types kept as they are (instances cannot reach the OS).</summary>
    public static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        "DirEntry", "stat_result", "statvfs_result", "terminal_size", "times_result", "uname_result", "sched_param",
        "waitid_result", "error",
    };

    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;
    private readonly PosixFunctions _functions;

    /// <summary>Initializes a new instance of the <see cref="PosixModule"/> class, whose functions serve <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public PosixModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
        _functions = new PosixFunctions(backend);
        Managed = _functions.Table().Concat(_functions.IdentityTable()).ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the managed function table (name → implementation).</summary>
    public IReadOnlyDictionary<string, BridgeDefinition> Managed { get; }

    public int Patch(nint module)
    {
        var statType = Py.GetAttr(module, "stat_result");
        if (statType != 0)
        {
            _functions.StatResultType = statType; // kept for the process
        }

        var unameType = Py.GetAttr(module, "uname_result");
        if (unameType != 0)
        {
            _functions.UnameResultType = unameType; // kept for the process
        }

        foreach (var name in PosixFunctions.ForwardedForOwnProcess)
        {
            _patcher.Replace(module, "posix", name, Managed[name].Signature, Managed[name].Handler);
        }

        foreach (var (name, definition) in Managed)
        {
            var handler = InMemoryCharge.Changes(name) ? InMemoryCharge.SyncedAfter(_backend, definition.Handler) : definition.Handler;
            if (Py.SetAttr(module, name, _backend.FunctionFor("posix." + name, definition.Signature, handler)) < 0)
            {
                return -1;
            }
        }

        _patcher.DenyUnclassified(module, "posix", n => Managed.ContainsKey(n) || Types.Contains(n), Removed);

        // What os.py builds supports_dir_fd, supports_fd, supports_follow_symlinks and supports_effective_ids from (so
        // os.fwalk exists and shutil.rmtree takes its descriptor-based way): see HaveFunctions.
        var have = ValueConverter.ToPython(HaveFunctions.ToList());
        if (have == 0 || Py.SetAttr(module, "_have_functions", have) < 0)
        {
            LibPython.Py_DecRef(have);
            return -1;
        }

        LibPython.Py_DecRef(have);

        // A copy made after start-up (a reloaded os, _imp.create_builtin) gets the shim's DirEntry as the first one did
        // (ManagedStartup): os.scandir's entries are that type, whatever copy of os names it.
        if (Interception.ManagedStartup.Started && Py.SetAttr(module, "DirEntry", Interception.ManagedShim.Get("DirEntry")) < 0)
        {
            return -1;
        }

        // The spawn modes os.py defines next to its fork-based spawn*, which the managed spawnv* take.
        foreach (var (name, value) in (ReadOnlySpan<(string, int)>)[("P_WAIT", 0), ("P_NOWAIT", SubprocessModule.NoWait), ("P_NOWAITO", SubprocessModule.NoWait)])
        {
            var number = Py.NewInt(value);
            var failed = number == 0 || Py.SetAttr(module, name, number) < 0;
            LibPython.Py_DecRef(number);
            if (failed)
            {
                return -1;
            }
        }

        var environ = PosixFunctions.EnvironmentDictionary(_backend);
        if (environ == 0 || Py.SetAttr(module, "environ", environ) < 0)
        {
            return -1;
        }

        LibPython.Py_DecRef(environ);
        return 0;
    }
}
