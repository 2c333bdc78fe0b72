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

    /// <summary><c>E2BIG</c>: what <c>execve</c> reports for an argument list or environment that is too long.</summary>
    private const int E2Big = 7;

    /// <summary>The longest single argument or environment entry Linux passes to a program (<c>MAX_ARG_STRLEN</c>).</summary>
    private const long MaxArgumentBytes = 128 * 1024;

    /// <summary>The most bytes of arguments and environment one start passes (Linux's usual <c>ARG_MAX</c>).</summary>
    private const long MaxExecBytes = 2 * 1024 * 1024;

    private const int UnicodeLengthOffset = 16;

    /// <summary>
    /// Refuses, before anything is copied into .NET, an argument vector or environment that no program could
    /// receive: <c>E2BIG</c>, as <c>execve</c> does. Each item is a Python <c>str</c> or <c>bytes</c>; a
    /// <paramref name="sequences"/> entry is either one such item or an iterable of them.
    /// </summary>
    public static void CheckExecSize(params ReadOnlySpan<nint> sequences)
    {
        long total = 0;
        foreach (var sequence in sequences)
        {
            if (sequence == 0 || sequence == LibPython.None)
            {
                continue;
            }

            if (ItemBytes(sequence) is { } single)
            {
                Count(single, ref total);
                continue;
            }

            var iterator = LibPython.PyObject_GetIter(sequence);
            if (iterator == 0)
            {
                LibPython.PyErr_Clear(); // not iterable: the conversion reports it
                continue;
            }

            try
            {
                nint item;
                while ((item = LibPython.PyIter_Next(iterator)) != 0)
                {
                    var size = ItemBytes(item);
                    LibPython.Py_DecRef(item);
                    if (size is { } bytes)
                    {
                        Count(bytes, ref total);
                    }
                }

                LibPython.PyErr_Clear();
            }
            finally
            {
                LibPython.Py_DecRef(iterator);
            }
        }
    }

    private static void Count(long bytes, ref long total)
    {
        total += bytes + 1;
        if (bytes > MaxArgumentBytes || total > MaxExecBytes)
        {
            throw new PythonIOException(E2Big, "Argument list too long");
        }
    }

    /// <summary>
    /// Reads the strings of a child's command line and environment as CPython's <c>PyUnicode_FSConverter</c> does: a str,
    /// bytes or <c>os.PathLike</c> (its <c>__fspath__</c> called once, its result counted against the same limits as
    /// <see cref="CheckExecSize"/> before it is copied); an embedded NUL is a <c>ValueError</c>.
    /// </summary>
    private sealed class ChildStrings
    {
        private long _total;

        public string Read(nint o, string name)
        {
            string value;
            if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass) || Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
            {
                value = Arg.StringOrBytes(o, name);
            }
            else
            {
                var fspath = LibPython.PyOS_FSPath(o);
                if (fspath == 0)
                {
                    LibPython.PyErr_Clear();
                    throw new PythonArgumentException($"{name}: expected str, bytes or os.PathLike object, not {Py.TypeName(o)}");
                }

                try
                {
                    Count(ItemBytes(fspath) ?? 0, ref _total);
                    value = Arg.StringOrBytes(fspath, name);
                }
                finally
                {
                    LibPython.Py_DecRef(fspath);
                }
            }

            return value.Contains('\0', StringComparison.Ordinal) ? throw new PythonArgumentException("embedded null byte", isValueError: true) : value;
        }
    }

    /// <summary>The UTF-8 size of a <c>str</c> or <c>bytes</c>, or <see langword="null"/> for anything else.</summary>
    private static long? ItemBytes(nint o)
    {
        nint size;
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsBytesSubclass))
        {
            byte* data;
            return LibPython.PyBytes_AsStringAndSize(o, &data, &size) < 0 ? null : size;
        }

        if (Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            // The length in code points (PyASCIIObject.length, after the object head) bounds the UTF-8 size
            // from below, read without encoding or allocating anything.
            return *(nint*)(o + UnicodeLengthOffset);
        }

        return null;
    }

    /// <summary>
    /// <c>os.spawnv</c>, <c>spawnve</c>, <c>spawnvp</c> and <c>spawnvpe</c>, which os.py builds on <c>fork</c> and so never
    /// has in the Managed backend: the child is started through the process provider as subprocess's children are (the
    /// runtime's descriptors 0–2, its working directory, the allow-listed environment), and os.py adds <c>spawnl</c>,
    /// <c>spawnle</c>, <c>spawnlp</c> and <c>spawnlpe</c> on top. <c>P_NOWAIT</c> returns the child's pid (for
    /// <c>os.waitpid</c>); any other mode waits and returns the exit code, or <c>-signal</c>. A program that cannot be
    /// started raises (os.py's forked child would exit with 127 instead).
    /// </summary>
    /// <param name="backend">The backend.</param>
    /// <param name="args">mode, path or file, args and, with <paramref name="withEnvironment"/>, env.</param>
    /// <param name="withEnvironment">Whether <c>env</c> is given (otherwise the runtime's environment).</param>
    /// <param name="searchPath">Whether a name without <c>/</c> is looked up in <c>PATH</c> (by the provider, as for subprocess).</param>
    /// <returns>The pid or the exit code.</returns>
    public static nint Spawn(ManagedBackend backend, BridgeArgs args, bool withEnvironment, bool searchPath)
    {
        var mode = Arg.Long(args, 0, "mode");
        var fileArg = Arg.Required(args, 1, "path");
        var argvArg = Arg.Required(args, 2, "args");
        if (!Py.IsInstanceOfFlag(argvArg, Py.TpFlagsTupleSubclass) && !Py.IsInstanceOfFlag(argvArg, Py.TpFlagsListSubclass))
        {
            throw new PythonArgumentException("argv must be a tuple or a list");
        }

        nint environment = 0;
        if (withEnvironment)
        {
            var env = Arg.Required(args, 3, "env");
            if (!Py.IsInstanceOfFlag(env, Py.TpFlagsDictSubclass))
            {
                throw new PythonArgumentException("env must be a mapping object");
            }

            environment = env;
        }

        backend.CheckCreateProcess("os.spawn");
        CheckExecSize(argvArg, fileArg);
        var strings = new ChildStrings();
        var argv = Arg.Items(argvArg, "args", strings.Read);
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            throw new PythonArgumentException("argv first element cannot be empty", isValueError: true);
        }

        var file = strings.Read(fileArg, "path");
        Dictionary<string, string> variables;
        if (environment == 0)
        {
            variables = backend.ChildProcesses.Snapshot();
        }
        else
        {
            variables = new Dictionary<string, string>(StringComparer.Ordinal);
            nint position = 0, key, value;
            while (LibPython.PyDict_Next(environment, &position, &key, &value) != 0)
            {
                CheckExecSize(key, value);
                var name = strings.Read(key, "env");
                if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
                {
                    throw new PythonArgumentException("illegal environment variable name", isValueError: true);
                }

                variables[name] = strings.Read(value, "env");
            }
        }

        // A name without '/' is the provider's to find in PATH (spawnvp); a path is given as subprocess gives its executable.
        argv[0] = searchPath && !file.Contains('/', StringComparison.Ordinal) ? file : ManagedPath.Resolve(backend.WorkingDirectory, file);
        var pid = backend.ChildProcesses.Start(argv, backend.ChildProcesses.HostWorkingDirectory(), variables, new ChildProcesses.Stdio(null, null, null, false));
        if (mode == NoWait)
        {
            return Py.NewInt(pid);
        }

        var status = backend.ChildProcesses.Wait(pid, noHang: false).Status;
        return Py.NewInt((status & 0x7F) != 0 ? -(status & 0x7F) : (status >> 8) & 0xFF);
    }

    /// <summary><c>os.P_NOWAIT</c> (and <c>P_NOWAITO</c>); <c>P_WAIT</c> is 0.</summary>
    public const int NoWait = 1;

    /// <summary>Makes the module (new reference), or returns 0 with the Python error set.</summary>
    public nint Create()
    {
        var module = LibPython.PyModule_New((byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8("_posixsubprocess"));
        if (module == 0 || Py.SetAttr(module, "fork_exec", _backend.FunctionFor("_posixsubprocess.fork_exec", ForkExecSignature, ForkExec)) < 0)
        {
            LibPython.Py_DecRef(module);
            return 0;
        }

        return module;
    }

    /// <summary>The parameters of CPython 3.11's <c>_posixsubprocess.fork_exec</c>, all positional; <c>allow_vfork</c> is passed by 3.11.2 and later.</summary>
    internal const string ForkExecSignature = "args, executable_list, close_fds, pass_fds, cwd, env, p2cread, p2cwrite, c2pread, c2pwrite, "
        + "errread, errwrite, errpipe_read, errpipe_write, restore_signals, call_setsid, pgid_to_set, gid, extra_groups, uid, child_umask, preexec_fn, "
        + "allow_vfork=True, /";

    private static OpenFile? FdFile(ManagedBackend backend, BridgeArgs args, int index, string name)
    {
        var fd = Arg.Int(args, index, name);
        return fd < 0 ? null : backend.Fds.Get(fd);
    }

    /// <summary>
    /// What a forked child would change about itself: another user or group is refused (the provider starts
    /// children as the host's user); descriptors to pass, a new session or process group and a child umask are
    /// ignored, with a compatibility log line.
    /// </summary>
    private static void CheckChildSettings(ManagedBackend backend, BridgeArgs args)
    {
        if (Arg.Optional(args, "gid") != 0 || Arg.Optional(args, "extra_groups") != 0 || Arg.Optional(args, "uid") != 0)
        {
            throw new UnsupportedOperationException("subprocess with user, group or extra_groups is not supported by the managed backend");
        }

        // subprocess always keeps its error pipe open in the child; anything else was passed by the caller.
        var errorPipe = Arg.Long(args, 13, "errpipe_write");
        if (Arg.Items(Arg.Required(args, 3, "pass_fds"), "pass_fds", static (o, name) => Arg.Long(o, name)).Exists(fd => fd != errorPipe))
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "pass_fds");
        }

        if (Arg.Bool(args, 15, "call_setsid", false))
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "start_new_session");
        }

        if (Arg.Long(args, 16, "pgid_to_set") >= 0)
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "process_group");
        }

        if (Arg.Long(args, 20, "child_umask") >= 0)
        {
            PosixLog.IgnoredSubprocessArgument(backend.Compatibility, "umask");
        }
    }

    private nint ForkExec(BridgeArgs args)
    {
        var backend = _backend;
        backend.CheckCreateProcess("subprocess");
        if (Arg.Optional(args, "preexec_fn") != 0)
        {
            throw new PythonArgumentException("preexec_fn is not supported by the managed backend: no Python code runs in the child", true);
        }

        CheckChildSettings(backend, args);
        CheckExecSize(args.Get("args"), args.Get("env"));

        var strings = new ChildStrings();
        var argv = Arg.Items(Arg.Required(args, 0, "args"), "args", strings.Read);
        var executables = Arg.Optional(args, "executable_list") is var list and not 0 ? Arg.Items(list, "executable_list", strings.Read) : [];
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

        var cwdArg = Arg.Optional(args, "cwd");
        string? hostCwd = null;
        if (cwdArg != 0)
        {
            var cwd = ManagedPath.Resolve(backend.WorkingDirectory, Arg.PathOf(cwdArg, "cwd", allowFd: false).Path!);
            var (fs, inner, _) = backend.FileSystem.Route(cwd);
            hostCwd = fs.GetHostPath(inner) ?? throw new PythonIOException(Errno.ENOENT, $"the working directory '{cwd}' has no host directory, so a child process cannot start there");
        }
        else
        {
            hostCwd = backend.ChildProcesses.HostWorkingDirectory();
        }

        Dictionary<string, string> environment;
        var env = Arg.Optional(args, "env");
        if (env == 0)
        {
            environment = backend.ChildProcesses.Snapshot();
        }
        else
        {
            environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var text in Arg.Items(env, "env", strings.Read))
            {
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    environment[text[..eq]] = text[(eq + 1)..];
                }
            }
        }

        var p2cread = FdFile(backend, args, 6, "p2cread");
        var c2pwrite = FdFile(backend, args, 9, "c2pwrite");
        var errwrite = FdFile(backend, args, 11, "errwrite");
        var errToOut = errwrite is not null && ReferenceEquals(errwrite, c2pwrite);
        var pid = backend.ChildProcesses.Start(argv, hostCwd, environment, new ChildProcesses.Stdio(p2cread, c2pwrite, errToOut ? null : errwrite, errToOut));
        return Py.NewInt(pid);
    }
}
