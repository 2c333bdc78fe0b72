using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>The managed implementations of <c>posix</c> functions. Each one checks permissions here, in .NET.</summary>
internal sealed unsafe partial class PosixFunctions
{
    private readonly ManagedBackend _backend;

    /// <summary>Initializes a new instance of the <see cref="PosixFunctions"/> class, serving <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend whose descriptors, working directory, umask, environment and permissions the functions use.</param>
    public PosixFunctions(ManagedBackend backend) => _backend = backend;

    /// <summary>Gets or sets the <c>posix.stat_result</c> type (captured when posix is patched).</summary>
    public nint StatResultType { get; set; }

    /// <summary>Gets the managed implementations by <c>posix</c> name, each with the parameters CPython declares for it.</summary>
    /// <remarks>Functions that only raise read no argument, so that their error is the one Python code expects.</remarks>
    public Dictionary<string, BridgeDefinition> Table() => new(StringComparer.Ordinal)
    {
        ["stat"] = Def("path, *, dir_fd=None, follow_symlinks=True", Stat),
        ["lstat"] = Def("path, *, dir_fd=None", LStat),
        ["fstat"] = Def("fd", FStat),
        ["access"] = Def("path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True", Access),
        ["listdir"] = Def("path=None", ListDir),
        ["scandir"] = Def("path=None", ScanDir),
        ["mkdir"] = Def("path, mode=0o777, *, dir_fd=None", MkDir),
        ["rmdir"] = Def("path, *, dir_fd=None", RmDir),
        ["remove"] = Def("path, *, dir_fd=None", Remove),
        ["unlink"] = Def("path, *, dir_fd=None", Remove),
        ["rename"] = Def("src, dst, *, src_dir_fd=None, dst_dir_fd=None", Rename),
        ["replace"] = Def("src, dst, *, src_dir_fd=None, dst_dir_fd=None", Replace),
        ["symlink"] = Def("src, dst, target_is_directory=False, *, dir_fd=None", Symlink),
        ["link"] = Def("src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True", Link),
        ["readlink"] = Def("path, *, dir_fd=None", ReadLink),
        ["chmod"] = Def("path, mode, *, dir_fd=None, follow_symlinks=True", ChMod),
        ["fchmod"] = Def("fd, mode", FChMod),
        ["utime"] = Def("path, times=None, *, ns=None, dir_fd=None, follow_symlinks=True", UTime),
        ["truncate"] = Def("path, length", Truncate),
        ["ftruncate"] = Def("fd, length, /", FTruncate),
        ["getcwd"] = Def("", GetCwd),
        ["getcwdb"] = Def("", GetCwdB),
        ["chdir"] = Def("path", ChDir),
        ["fchdir"] = Def("fd", FChDir),
        ["umask"] = Def("mask, /", UMask),
        ["open"] = Def("path, flags, mode=0o777, *, dir_fd=None", Open),
        ["close"] = Def("fd", Close),
        ["closerange"] = Def("fd_low, fd_high, /", CloseRange),
        ["read"] = Def("fd, length, /", Read),
        ["readinto"] = Def("fd, buffer, /", ReadInto),
        ["write"] = Def("fd, data, /", Write),
        ["pread"] = Def("fd, length, offset, /", PRead),
        ["pwrite"] = Def("fd, str, offset, /", PWrite),
        ["lseek"] = Def("fd, position, whence, /", LSeek),
        ["dup"] = Def("fd, /", Dup),
        ["dup2"] = Def("fd, fd2, inheritable=True", Dup2),
        ["pipe"] = Def("", Pipe),
        ["pipe2"] = Def("flags, /", Pipe2),
        ["isatty"] = Def("fd, /", IsATty),
        ["_fd_kind"] = Def("fd, /", FdKind),
        ["fsync"] = Def("fd", FSync),
        ["fdatasync"] = Def("fd", FSync),
        ["sync"] = Def("", Sync),
        ["get_inheritable"] = Def("fd, /", GetInheritable),
        ["set_inheritable"] = Def("fd, inheritable, /", SetInheritable),
        ["get_blocking"] = Def("fd, /", GetBlocking),
        ["set_blocking"] = Def("fd, blocking, /", SetBlocking),
        ["device_encoding"] = Def("fd", DeviceEncoding),
        ["get_terminal_size"] = Def("fd=1, /", GetTerminalSize),
        ["ttyname"] = Def("fd, /", TtyName),
        ["putenv"] = Def("name, value, /", PutEnv),
        ["unsetenv"] = Def("name, /", UnsetEnv),
        ["getpid"] = Def("", GetPid),
        ["uname"] = Def("", Uname),
        ["getppid"] = Def("", GetPPid),
        ["kill"] = Def("pid, signal, /", Kill),
        ["killpg"] = Def("pgid, signal, /", KillPg),
        ["waitpid"] = Def("pid, options, /", WaitPid),
        ["wait"] = Def("", Wait),
        ["system"] = Def("command", SystemCall),
        ["_exit"] = Def("status", Exit),
        ["abort"] = Def("", Abort),
        ["mkfifo"] = new(BridgeSignature.Any, MkFifo),
        ["mknod"] = new(BridgeSignature.Any, MkNod),
        ["statvfs"] = new(BridgeSignature.Any, StatVfs),
        ["fstatvfs"] = Def("fd, /", args => UnsupportedOnDescriptor(args, "os.fstatvfs")),
        ["pathconf"] = Def("path, name", PathConf),
        ["fpathconf"] = Def("fd, name, /", FPathConf),
        ["tcgetpgrp"] = Def("fd, /", NotATerminal),
        ["tcsetpgrp"] = Def("fd, pgid, /", NotATerminal),
        ["getxattr"] = new(BridgeSignature.Any, _ => XattrUnsupported("os.getxattr")),
        ["setxattr"] = new(BridgeSignature.Any, _ => XattrUnsupported("os.setxattr")),
        ["listxattr"] = new(BridgeSignature.Any, _ => XattrUnsupported("os.listxattr")),
        ["removexattr"] = new(BridgeSignature.Any, _ => XattrUnsupported("os.removexattr")),

        // os.py builds spawn* on fork; the runtime starts them through the process provider (SubprocessModule.Spawn).
        ["spawnv"] = Def("mode, path, args, /", args => SubprocessModule.Spawn(_backend, args, withEnvironment: false, searchPath: false)),
        ["spawnve"] = Def("mode, path, args, env, /", args => SubprocessModule.Spawn(_backend, args, withEnvironment: true, searchPath: false)),
        ["spawnvp"] = Def("mode, path, args, /", args => SubprocessModule.Spawn(_backend, args, withEnvironment: false, searchPath: true)),
        ["spawnvpe"] = Def("mode, path, args, env, /", args => SubprocessModule.Spawn(_backend, args, withEnvironment: true, searchPath: true)),

        // Descriptor-level calls (PosixFunctions.Descriptors).
        ["readv"] = Def("fd, buffers, /", ReadV),
        ["writev"] = Def("fd, buffers, /", WriteV),
        ["preadv"] = Def("fd, buffers, offset, flags=0, /", PReadV),
        ["pwritev"] = Def("fd, buffers, offset, flags=0, /", PWriteV),
        ["sendfile"] = Def("out_fd, in_fd, offset, count", SendFile),
        ["copy_file_range"] = Def("src, dst, count, offset_src=None, offset_dst=None", CopyFileRange),
        ["splice"] = Def("src, dst, count, offset_src=None, offset_dst=None, flags=0", Splice),
        ["eventfd"] = Def("initval, flags=524288", EventFd),
        ["eventfd_read"] = Def("fd", EventFdRead),
        ["eventfd_write"] = Def("fd, value", EventFdWrite),
        ["memfd_create"] = Def("name, flags=1", MemfdCreate),
        ["posix_fallocate"] = Def("fd, offset, len, /", PosixFallocate),
        ["posix_fadvise"] = Def("fd, offset, len, advice, /", PosixFadvise),
        ["lockf"] = Def("fd, command, length, /", LockF),

        // The runtime's own identity and the ownership of its files (PosixFunctions.Ownership.cs, RuntimeIdentity).
        ["getuid"] = Def("", GetUid),
        ["geteuid"] = Def("", GetUid),
        ["getgid"] = Def("", GetGid),
        ["getegid"] = Def("", GetGid),
        ["getgroups"] = Def("", GetGroups),
        ["getresuid"] = Def("", _ => GetResIds("real, effective and saved user ids", RuntimeIdentity.UserId)),
        ["getresgid"] = Def("", _ => GetResIds("real, effective and saved group ids", RuntimeIdentity.GroupId)),
        ["getlogin"] = Def("", GetLogin),
        ["chown"] = Def("path, uid, gid, *, dir_fd=None, follow_symlinks=True", ChOwn),
        ["lchown"] = Def("path, uid, gid", LChOwn),
        ["fchown"] = Def("fd, uid, gid", FChOwn),
        ["setuid"] = Def("uid, /", args => SetIds(args, "os.setuid", user: true, "uid")),
        ["seteuid"] = Def("euid, /", args => SetIds(args, "os.seteuid", user: true, "euid")),
        ["setreuid"] = Def("ruid, euid, /", args => SetIds(args, "os.setreuid", user: true, "ruid", "euid")),
        ["setresuid"] = Def("ruid, euid, suid, /", args => SetIds(args, "os.setresuid", user: true, "ruid", "euid", "suid")),
        ["setgid"] = Def("gid, /", args => SetIds(args, "os.setgid", user: false, "gid")),
        ["setegid"] = Def("egid, /", args => SetIds(args, "os.setegid", user: false, "egid")),
        ["setregid"] = Def("rgid, egid, /", args => SetIds(args, "os.setregid", user: false, "rgid", "egid")),
        ["setresgid"] = Def("rgid, egid, sgid, /", args => SetIds(args, "os.setresgid", user: false, "rgid", "egid", "sgid")),
        ["setgroups"] = Def("groups, /", args => SetGroups(args, "os.setgroups")),
        ["initgroups"] = Def("username, gid, /", args => SetGroups(args, "os.initgroups")),
        ["getgrouplist"] = Def("user, group, /", GetGroupList),
    };

    private static BridgeDefinition Def(string signature, BridgeHandler handler) => new(BridgeSignature.Parse(signature), handler);

    private string Resolve(PathArg p) => ManagedPath.Resolve(_backend.WorkingDirectory, p.Path!);

    private nint Stat(BridgeArgs args) => StatImpl(args, "stat", Arg.Bool(args, 99, "follow_symlinks", true));

    private nint LStat(BridgeArgs args) => StatImpl(args, "lstat", false);

    private nint StatImpl(BridgeArgs args, string name, bool follow)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        NoDirFdWithFd(args, p, name);
        if (p.IsFd)
        {
            var file = _backend.Fds.Get(p.Fd);
            return StatResult.Create(StatResultType, file.Status(_backend.Clock), file.Path);
        }

        try
        {
            var resolved = ResolveAt(args, p);
            var status = StatPathOrNull(resolved, follow, name);
            return status is null
                ? Py.SetOSError(Errno.ENOENT, "No such file or directory", p.Path)
                : StatResult.Create(StatResultType, status, resolved);
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint FStat(BridgeArgs args)
    {
        var file = _backend.Fds.Get(Arg.Int(args, 0, "fd"));
        return StatResult.Create(StatResultType, file.Status(_backend.Clock), file.Path);
    }

    private nint Access(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path");
        var mode = Arg.Int(args, 1, "mode");

        // The runtime's effective ids are its real ids (RuntimeIdentity): effective_ids=True asks the same question.
        _ = Arg.Bool(args, 99, "effective_ids", false);
        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        string resolved;
        PythonFileStatus status;
        try
        {
            // As faccessat: any failure, a bad dir_fd too, answers False.
            resolved = ResolveAt(args, p);
            status = StatPath(resolved, follow, "access");
        }
        catch (Exception e) when (e is IOException or PermissionDeniedException or UnauthorizedAccessException)
        {
            Untag();
            return Py.NewBool(false);
        }

        // The permissions decide first; then the owner's mode bits, the runtime owning every file it sees (RuntimeIdentity).
        var system = _backend.FileSystem.IsSystemPath(resolved);
        var writable = (mode & 2) == 0 || (_backend.Permissions.IO == IOAccess.All && !system && (status.Mode & 0x80) != 0);
        var readable = (mode & 4) == 0 || ((status.Mode & 0x100) != 0 && (_backend.Permissions.IO != IOAccess.None || system));
        var executable = (mode & 1) == 0 || (status.Mode & 0x40) != 0;
        return Py.NewBool(writable && readable && executable);
    }

    private nint GetCwd(BridgeArgs args) => Py.NewString(_backend.WorkingDirectory);

    private nint GetCwdB(BridgeArgs args) => Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(_backend.WorkingDirectory));

    private nint ChDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        if (p.IsFd)
        {
            return ChangeToDescriptor(p.Fd);
        }

        try
        {
            var resolved = Resolve(p);
            if (StatPath(resolved, true, "chdir").Kind != PythonFileKind.Directory)
            {
                throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
            }

            _backend.WorkingDirectory = resolved;
            return Py.NewNone();
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint FChDir(BridgeArgs args) => ChangeToDescriptor(FdOf(Arg.Required(args, 0, "fd")));

    /// <summary><c>fchdir</c>: a descriptor opened on a directory (<c>os.open(dir, O_RDONLY)</c>) names it.</summary>
    private nint ChangeToDescriptor(int fd)
    {
        _backend.WorkingDirectory = DirectoryOfDescriptor(fd);
        return Py.NewNone();
    }

    private nint UMask(BridgeArgs args)
    {
        var mask = Arg.Int(args, 0, "mask") & 0x1FF;
        var previous = _backend.Umask;
        _backend.Umask = mask;
        if (previous == DefaultUmask)
        {
            PosixLog.EmulatedUmaskReturned(_backend.Compatibility, PosixLog.Octal(previous));
        }

        if (_backend.Compatibility.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Trace))
        {
            PosixLog.EmulatedUmaskSet(_backend.Compatibility, PosixLog.Octal(mask));
        }

        return Py.NewInt(previous);
    }

    /// <summary>The emulated umask every runtime starts with (DESIGN §5), whatever the process umask is.</summary>
    public const int DefaultUmask = 0x12;

    private static nint MkFifo(BridgeArgs args) => throw new UnsupportedOperationException("os.mkfifo is not supported by the managed backend");

    private static nint MkNod(BridgeArgs args) => throw new UnsupportedOperationException("os.mknod is not supported by the managed backend");


    private static nint StatVfs(BridgeArgs args) => throw new UnsupportedOperationException("os.statvfs is not supported by the managed backend");




    /// <summary>
    /// Extended attributes: <c>io.UnsupportedOperation</c> that also carries <c>ENOTSUP</c>, as a file
    /// system without extended attributes reports it, so that <c>shutil.copystat</c> (and so <c>copy2</c>,
    /// <c>copytree</c> and <c>move</c>) skips them as it does on such a file system.
    /// </summary>
    private nint XattrUnsupported(string function)
    {
        PosixLog.UnsupportedFunction(_backend.Compatibility, function);
        var type = ManagedErrors.UnsupportedOperationClass != 0 ? ManagedErrors.UnsupportedOperationClass : LibPython.ExcOSError;
        var tuple = Py.Tuple(Py.NewInt(Errno.EOPNOTSUPP), Py.NewString(function + " is not supported by the managed backend"));
        var exception = Py.Call(type, tuple, 0, "io.UnsupportedOperation");
        LibPython.Py_DecRef(tuple);
        if (exception != 0)
        {
            LibPython.PyErr_SetObject(type, exception);
            LibPython.Py_DecRef(exception);
        }

        return 0;
    }
}

/// <summary><c>NotImplementedError</c> for the documented <c>os.access</c> limits.</summary>
internal sealed class NotImplementedAccessException(string message) : Exception(message);
