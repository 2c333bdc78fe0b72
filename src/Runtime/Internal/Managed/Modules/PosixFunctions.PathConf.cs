using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// <c>os.pathconf</c> and <c>os.fpathconf</c>: the limits of the runtime's file system, one set for every provider (those
/// of a Linux ext4 file system, which the providers' own limits do not exceed), for a path that exists or a descriptor
/// of the runtime's table. A name of <c>os.pathconf_names</c> or its number; a number Linux does not know is EINVAL.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>The value of each <c>_PC_*</c> number (-1: no limit, as the C function reports it).</summary>
    private static readonly Dictionary<long, long> PathConfValues = new()
    {
        [0] = 65000, // LINK_MAX
        [1] = 255, // MAX_CANON
        [2] = 255, // MAX_INPUT
        [3] = 255, // NAME_MAX
        [4] = 4096, // PATH_MAX
        [5] = 4096, // PIPE_BUF
        [6] = 1, // CHOWN_RESTRICTED
        [7] = 1, // NO_TRUNC
        [8] = 0, // VDISABLE
        [9] = -1, // SYNC_IO
        [10] = -1, // ASYNC_IO
        [11] = -1, // PRIO_IO
        [12] = -1, // SOCK_MAXBUF
        [13] = 64, // FILESIZEBITS
        [14] = -1, // REC_INCR_XFER_SIZE
        [15] = -1, // REC_MAX_XFER_SIZE
        [16] = StatResult.BlockSize, // REC_MIN_XFER_SIZE
        [17] = StatResult.BlockSize, // REC_XFER_ALIGN
        [18] = StatResult.BlockSize, // ALLOC_SIZE_MIN
        [19] = -1, // SYMLINK_MAX
    };

    private static readonly Dictionary<string, long> PathConfNames = new(StringComparer.Ordinal)
    {
        ["PC_LINK_MAX"] = 0, ["PC_MAX_CANON"] = 1, ["PC_MAX_INPUT"] = 2, ["PC_NAME_MAX"] = 3, ["PC_PATH_MAX"] = 4,
        ["PC_PIPE_BUF"] = 5, ["PC_CHOWN_RESTRICTED"] = 6, ["PC_NO_TRUNC"] = 7, ["PC_VDISABLE"] = 8, ["PC_SYNC_IO"] = 9,
        ["PC_ASYNC_IO"] = 10, ["PC_PRIO_IO"] = 11, ["PC_SOCK_MAXBUF"] = 12, ["PC_FILESIZEBITS"] = 13,
        ["PC_REC_INCR_XFER_SIZE"] = 14, ["PC_REC_MAX_XFER_SIZE"] = 15, ["PC_REC_MIN_XFER_SIZE"] = 16,
        ["PC_REC_XFER_ALIGN"] = 17, ["PC_ALLOC_SIZE_MIN"] = 18, ["PC_SYMLINK_MAX"] = 19,
    };

    private nint PathConf(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var name = ConfName(Arg.Required(args, 1, "name"));
        if (p.IsFd)
        {
            return FdPathConf(p.Fd, name);
        }

        var resolved = Resolve(p);
        if (StatPathOrNull(resolved, follow: true, "pathconf") is null)
        {
            return Py.SetOSError(Errno.ENOENT, "No such file or directory", p.Path);
        }

        return PathConfValue(name);
    }

    private nint FPathConf(BridgeArgs args) => FdPathConf(FdOf(Arg.Required(args, 0, "fd")), ConfName(Arg.Required(args, 1, "name")));

    private nint FdPathConf(int fd, long name)
        => _backend.Fds.TryGet(fd, out _) ? PathConfValue(name) : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");

    private static nint PathConfValue(long name)
        => PathConfValues.TryGetValue(name, out var value) ? Py.NewInt(value) : throw new PythonIOException(Errno.EINVAL, "Invalid argument");

    /// <summary>A configuration name as CPython's <c>conv_path_confname</c> reads it: a number, or a key of <c>os.pathconf_names</c>.</summary>
    private static long ConfName(nint o)
    {
        if (Py.IsInstanceOfFlag(o, Py.TpFlagsLongSubclass))
        {
            return Arg.Long(o, "name");
        }

        if (!Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            throw new PythonArgumentException("configuration names must be strings or integers");
        }

        var text = Py.ReadString(o) ?? throw new PythonErrorException();
        return PathConfNames.TryGetValue(text, out var number) ? number : throw new PythonArgumentException("unrecognized configuration name", isValueError: true);
    }
}
