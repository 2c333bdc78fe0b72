using System.Globalization;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary><c>utime</c> and <c>truncate</c>.</summary>
internal sealed unsafe partial class PosixFunctions
{
    private nint UTime(BridgeArgs args)
    {
        Arg.NoDirFd(args, "utime");
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        var (access, modification) = UTimeArguments(args);
        try
        {
            if (p.IsFd)
            {
                var file = _backend.Fds.Get(p.Fd);
                var path = file is ProviderFile or DirectoryFile ? file.Path! : throw new PythonIOException(Errno.EINVAL, "Invalid argument");
                _backend.CheckWrite(path, "setting times of");
                var (fs, inner, _) = _backend.FileSystem.Route(path);
                fs.SetTimes(inner, access, modification);
                return Py.NewNone();
            }

            OnPath(Resolve(p), follow, (access, modification, follow), (fs, inner, path, state) =>
            {
                _backend.CheckWrite(path, "setting times of");
                fs.SetTimes(inner, state.access, state.modification, state.follow);
            });
            return Py.NewNone();
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    /// <summary>Reads <c>times</c> or <c>ns</c>; neither means now, by the runtime's clock.</summary>
    private (DateTimeOffset Access, DateTimeOffset Modification) UTimeArguments(BridgeArgs args)
    {
        var times = args.Get(1, "times");
        var ns = args.Keyword("ns");
        var hasTimes = times != 0 && times != LibPython.None;
        if (ns != 0 && ns != LibPython.None)
        {
            if (hasTimes)
            {
                throw new PythonArgumentException("utime: you may specify either 'times' or 'ns' but not both", true);
            }

            var pair = ValueConverter.ToClr(ns) as List<object?> is { Count: 2 } list && list.TrueForAll(x => x is long)
                ? list
                : throw new PythonArgumentException("utime: 'ns' must be a tuple of two ints");
            return (StatResult.FromNanoseconds((long)pair[0]!), StatResult.FromNanoseconds((long)pair[1]!));
        }

        if (hasTimes)
        {
            var pair = ValueConverter.ToClr(times) as List<object?> is { Count: 2 } list
                ? list
                : throw new PythonArgumentException("utime: 'times' must be either a tuple of two ints or None");
            return (FromSeconds(pair[0]), FromSeconds(pair[1]));
        }

        var now = _backend.Clock.GetUtcNow();
        return (now, now);
    }

    private static DateTimeOffset FromSeconds(object? value) => value switch
    {
        long l => DateTimeOffset.UnixEpoch.AddSeconds(l),
        double d when double.IsFinite(d) => DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(d * TimeSpan.TicksPerSecond)),
        _ => throw new PythonArgumentException(string.Create(CultureInfo.InvariantCulture, $"utime: times must be numbers, not {value?.GetType().Name ?? "None"}")),
    };

    private nint Truncate(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var length = Arg.Long(args, 1, "length");
        if (length < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        if (p.IsFd)
        {
            _backend.Fds.Get(p.Fd).Truncate(length);
            return Py.NewNone();
        }

        try
        {
            OnPath(Resolve(p), followFinal: true, length, (fs, inner, path, length) =>
            {
                _backend.CheckWrite(path, "truncating");
                using var stream = fs.Open(inner, PythonOpenFlags.Write, 0x1B6);
                stream.SetLength(length);
            });
            return Py.NewNone();
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint FTruncate(BridgeArgs args)
    {
        var length = Arg.Long(args, 1, "length");
        if (length < 0)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        _backend.Fds.Get(Arg.Int(args, 0, "fd")).Truncate(length);
        return Py.NewNone();
    }
}
