using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>The managed implementations of <c>posix</c> functions. Each one checks permissions here, in .NET.</summary>
internal static unsafe partial class PosixFunctions
{
    public static Dictionary<string, BridgeHandler> Table() => new(StringComparer.Ordinal)
    {
        ["stat"] = Stat,
        ["lstat"] = LStat,
        ["fstat"] = FStat,
        ["access"] = Access,
        ["listdir"] = ListDir,
        ["scandir"] = ScanDir,
        ["mkdir"] = MkDir,
        ["rmdir"] = RmDir,
        ["remove"] = Remove,
        ["unlink"] = Remove,
        ["rename"] = Rename,
        ["replace"] = Replace,
        ["symlink"] = Symlink,
        ["readlink"] = ReadLink,
        ["chmod"] = ChMod,
        ["lchmod"] = LChMod,
        ["fchmod"] = FChMod,
        ["utime"] = UTime,
        ["truncate"] = Truncate,
        ["ftruncate"] = FTruncate,
        ["getcwd"] = GetCwd,
        ["getcwdb"] = GetCwdB,
        ["chdir"] = ChDir,
        ["fchdir"] = FChDir,
        ["umask"] = UMask,
        ["open"] = Open,
        ["close"] = Close,
        ["closerange"] = CloseRange,
        ["read"] = Read,
        ["readinto"] = ReadInto,
        ["write"] = Write,
        ["pread"] = PRead,
        ["pwrite"] = PWrite,
        ["lseek"] = LSeek,
        ["dup"] = Dup,
        ["dup2"] = Dup2,
        ["pipe"] = Pipe,
        ["pipe2"] = Pipe2,
        ["isatty"] = IsATty,
        ["fsync"] = FSync,
        ["fdatasync"] = FSync,
        ["sync"] = Sync,
        ["get_inheritable"] = GetInheritable,
        ["set_inheritable"] = SetInheritable,
        ["get_blocking"] = GetBlocking,
        ["set_blocking"] = SetBlocking,
        ["device_encoding"] = DeviceEncoding,
        ["get_terminal_size"] = GetTerminalSize,
        ["ttyname"] = TtyName,
        ["putenv"] = PutEnv,
        ["unsetenv"] = UnsetEnv,
        ["getpid"] = GetPid,
        ["getppid"] = GetPPid,
        ["kill"] = Kill,
        ["killpg"] = KillPg,
        ["waitpid"] = WaitPid,
        ["wait"] = Wait,
        ["system"] = SystemCall,
        ["_exit"] = Exit,
        ["abort"] = Abort,
        ["link"] = Link,
        ["mkfifo"] = MkFifo,
        ["mknod"] = MkNod,
        ["chown"] = ChOwn,
        ["lchown"] = ChOwn,
        ["fchown"] = FChOwn,
        ["statvfs"] = StatVfs,
        ["fstatvfs"] = FStatVfs,
        ["pathconf"] = PathConf,
        ["fpathconf"] = FPathConf,
        ["getlogin"] = GetLogin,
    };

    private static ManagedBackend B => ManagedBackend.Current;

    private static string Resolve(PathArg p) => ManagedPath.Resolve(B.WorkingDirectory, p.Path!);

    /// <summary>Runs a provider operation with the file names that its errors should report.</summary>
    private static T WithPaths<T>(string path, Func<T> operation, string? path2 = null)
    {
        ManagedErrors.SetPaths(path, path2);
        var result = operation();
        ManagedErrors.SetPaths(null);
        return result;
    }

    private static void WithPaths(string path, Action operation, string? path2 = null)
    {
        ManagedErrors.SetPaths(path, path2);
        operation();
        ManagedErrors.SetPaths(null);
    }

    private static PythonFileStatus StatPath(string resolved, bool follow, string operation)
    {
        B.CheckMetadata(resolved, operation);
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        var status = WithPaths(resolved, () => fs.GetStatus(inner, follow));
        if (status is null)
        {
            if (B.FileSystem.SystemChildrenOf(resolved).Any())
            {
                var now = B.Clock.GetUtcNow();
                return new PythonFileStatus(PythonFileKind.Directory, 4096, 0x16D, now, now, now);
            }

            throw new PythonIOException(Errno.ENOENT, "No such file or directory");
        }

        return status;
    }

    private static nint Stat(BridgeArgs args) => StatImpl(args, "stat", Arg.Bool(args, 99, "follow_symlinks", true));

    private static nint LStat(BridgeArgs args) => StatImpl(args, "lstat", false);

    private static nint StatImpl(BridgeArgs args, string name, bool follow)
    {
        Arg.NoDirFd(args, name);
        var p = Arg.Path(args, 0, "path", allowFd: true);
        if (p.IsFd)
        {
            var file = B.Fds.Get(p.Fd);
            return StatResult.Create(file.Status(B.Clock), file.Path);
        }

        var resolved = Resolve(p);
        ManagedErrors.SetPaths(p.Path);
        var status = StatPath(resolved, follow, name);
        ManagedErrors.SetPaths(null);
        return StatResult.Create(status, resolved);
    }

    private static nint FStat(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        return StatResult.Create(file.Status(B.Clock), file.Path);
    }

    private static nint Access(BridgeArgs args)
    {
        Arg.NoDirFd(args, "access");
        var p = Arg.Path(args, 0, "path");
        var mode = Arg.Int(args, 1, "mode");
        if (Arg.Bool(args, 99, "effective_ids", false))
        {
            throw new NotImplementedAccessException("access with effective_ids is not supported by the managed backend");
        }

        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        if (!follow && mode != 0)
        {
            throw new NotImplementedAccessException("access with follow_symlinks=False is only supported with F_OK by the managed backend");
        }

        var resolved = Resolve(p);
        try
        {
            var status = StatPath(resolved, follow, "access");
            var writable = (mode & 2) == 0 || (B.Permissions.IO == IOAccess.All && !B.FileSystem.IsSystemPath(resolved) && (status.Mode & 0x92) != 0);
            var readable = (mode & 4) == 0 || ((status.Mode & 0x124) != 0 && (B.Permissions.IO != IOAccess.None || B.FileSystem.IsSystemPath(resolved)));
            var executable = (mode & 1) == 0 || (status.Mode & 0x49) != 0;
            return Py.NewBool(writable && readable && executable);
        }
        catch (Exception e) when (e is PythonIOException or PermissionDeniedException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return Py.NewBool(false);
        }
    }

    private static nint GetCwd(BridgeArgs args) => Py.NewString(B.WorkingDirectory);

    private static nint GetCwdB(BridgeArgs args) => Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(B.WorkingDirectory));

    private static nint ChDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var resolved = p.IsFd ? B.Fds.Get(p.Fd).Path ?? throw new PythonIOException(Errno.ENOTDIR, "Not a directory") : Resolve(p);
        ManagedErrors.SetPaths(p.Path);
        var status = StatPath(resolved, true, "chdir");
        if (status.Kind != PythonFileKind.Directory)
        {
            throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
        }

        ManagedErrors.SetPaths(null);
        B.WorkingDirectory = resolved;
        return Py.NewNone();
    }

    private static nint FChDir(BridgeArgs args) => throw new UnsupportedOperationException("os.fchdir is not supported by the managed backend");

    private static nint UMask(BridgeArgs args)
    {
        var mask = Arg.Int(args, 0, "mask");
        var previous = B.Umask;
        B.Umask = mask;
        CompatibilityLog.Emulated(B.Compatibility, $"Emulated umask 0o{Convert.ToString(mask & 0x1FF, 8)} (was 0o{Convert.ToString(previous, 8)}); the process umask is unchanged");
        return Py.NewInt(previous);
    }

    private static nint Link(BridgeArgs args) => throw new UnsupportedOperationException("os.link is not supported by the managed backend");

    private static nint MkFifo(BridgeArgs args) => throw new UnsupportedOperationException("os.mkfifo is not supported by the managed backend");

    private static nint MkNod(BridgeArgs args) => throw new UnsupportedOperationException("os.mknod is not supported by the managed backend");

    private static nint ChOwn(BridgeArgs args) => throw new UnsupportedOperationException("os.chown is not supported by the managed backend");

    private static nint FChOwn(BridgeArgs args) => throw new UnsupportedOperationException("os.fchown is not supported by the managed backend");

    private static nint StatVfs(BridgeArgs args) => throw new UnsupportedOperationException("os.statvfs is not supported by the managed backend");

    private static nint FStatVfs(BridgeArgs args) => throw new UnsupportedOperationException("os.fstatvfs is not supported by the managed backend");

    private static nint PathConf(BridgeArgs args) => throw new UnsupportedOperationException("os.pathconf is not supported by the managed backend");

    private static nint FPathConf(BridgeArgs args) => throw new UnsupportedOperationException("os.fpathconf is not supported by the managed backend");

    private static nint GetLogin(BridgeArgs args) => throw new UnsupportedOperationException("os.getlogin is not supported by the managed backend");
}

/// <summary><c>NotImplementedError</c> for the documented <c>os.access</c> limits.</summary>
internal sealed class NotImplementedAccessException(string message) : Exception(message);
