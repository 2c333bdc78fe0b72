using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The managed <c>_posixsubprocess</c>: <c>fork_exec</c> starts the child through the process
/// provider and connects the virtual descriptors <c>subprocess</c> prepared to its streams.
/// Nothing is forked; <c>preexec_fn</c> is refused.
/// </summary>
internal sealed unsafe class SubprocessModule
{
    private readonly ManagedBackend _backend;

    /// <summary>Initializes a new instance of the <see cref="SubprocessModule"/> class, starting children for <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend.</param>
    public SubprocessModule(ManagedBackend backend) => _backend = backend;

    /// <summary>Makes the module (new reference).</summary>
    public nint Create()
    {
        var module = LibPython.PyModule_New((byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8("_posixsubprocess"));
        Py.SetAttr(module, "fork_exec", _backend.FunctionFor("_posixsubprocess.fork_exec", ForkExec));
        return module;
    }

    private static OpenFile? FdFile(ManagedBackend backend, nint o)
    {
        var fd = (int)LibPython.PyLong_AsLongLong(o);
        return fd < 0 ? null : backend.Fds.Get(fd);
    }

    /// <summary>
    /// What a forked child would change about itself: another user or group is refused (the provider starts
    /// children as the host's user); descriptors to pass, a new session or process group and a child umask are
    /// ignored, with a compatibility log line.
    /// </summary>
    private static void CheckChildSettings(ManagedBackend backend, BridgeArgs args)
    {
        if (args[17] != LibPython.None || args[18] != LibPython.None || args[19] != LibPython.None)
        {
            throw new UnsupportedOperationException("subprocess with user, group or extra_groups is not supported by the managed backend");
        }

        // subprocess always keeps its error pipe open in the child; anything else was passed by the caller.
        var errorPipe = Arg.Long(args[13], "errpipe_write");
        if (ValueConverter.ToClr(args[3]) is List<object?> kept && kept.Exists(fd => fd is long n && n != errorPipe))
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "pass_fds");
        }

        if (LibPython.PyObject_IsTrue(args[15]) == 1)
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "start_new_session");
        }

        if (Arg.Long(args[16], "process_group") >= 0)
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "process_group");
        }

        if (Arg.Long(args[20], "umask") >= 0)
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "umask");
        }

        LibPython.PyErr_Clear();
    }

    private nint ForkExec(BridgeArgs args)
    {
        var backend = _backend;
        backend.CheckCreateProcess("subprocess");
        if (args.Count < 22)
        {
            throw new PythonArgumentException("fork_exec: unexpected arguments");
        }

        if (args[21] != LibPython.None)
        {
            throw new PythonArgumentException("preexec_fn is not supported by the managed backend: no Python code runs in the child", true);
        }

        CheckChildSettings(backend, args);

        var argv = (ValueConverter.ToClr(args[0]) as List<object?>)?.Select(a => a switch
        {
            byte[] b => System.Text.Encoding.UTF8.GetString(b),
            string s => s,
            _ => throw new PythonArgumentException("fork_exec: arguments must be str or bytes"),
        }).ToList() ?? throw new PythonArgumentException("fork_exec: args must be a sequence");
        var executables = (ValueConverter.ToClr(args[1]) as List<object?>)?.Select(a => a is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : (string)a!).ToList() ?? [];
        if (argv.Count == 0)
        {
            throw new PythonArgumentException("fork_exec: empty argument list", true);
        }

        if (executables.Count == 1)
        {
            argv[0] = executables[0];
        }
        else if (executables.Count > 1)
        {
            argv[0] = Path.GetFileName(executables[0]);
        }

        var cwdArg = args[4];
        string? hostCwd = null;
        if (cwdArg != LibPython.None)
        {
            var cwd = ManagedPath.Resolve(backend.WorkingDirectory, Arg.PathOf(cwdArg, "cwd", allowFd: false).Path!);
            var (fs, inner, _) = backend.FileSystem.Route(cwd);
            hostCwd = fs.GetHostPath(inner) ?? throw new PythonIOException(Errno.ENOENT, $"the working directory '{cwd}' has no host directory, so a child process cannot start there");
        }
        else
        {
            var (fs, inner, _) = backend.FileSystem.Route(backend.WorkingDirectory);
            hostCwd = fs.GetHostPath(inner);
        }

        Dictionary<string, string> environment;
        if (args[5] == LibPython.None)
        {
            environment = backend.ChildProcesses.Snapshot();
        }
        else
        {
            environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in (List<object?>)ValueConverter.ToClr(args[5])!)
            {
                var text = item is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : (string)item!;
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    environment[text[..eq]] = text[(eq + 1)..];
                }
            }
        }

        var p2cread = FdFile(backend, args[6]);
        var c2pwrite = FdFile(backend, args[9]);
        var errwrite = FdFile(backend, args[11]);
        var errToOut = errwrite is not null && ReferenceEquals(errwrite, c2pwrite);
        var pid = backend.ChildProcesses.Start(argv, hostCwd, environment, new ChildProcesses.Stdio(p2cread, c2pwrite, errToOut ? null : errwrite, errToOut));
        return Py.NewInt(pid);
    }
}
