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
        var p = Arg.Path(args, 0, "path", allowFd: true);
        NoDirFdWithFd(args, p, "utime");
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

            OnPath(ResolveAt(args, p), follow, (access, modification, follow), (fs, inner, path, state) =>
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
        var times = Arg.Optional(args, "times");
        var ns = Arg.Optional(args, "ns");
        if (ns != 0)
        {
            if (times != 0)
            {
                throw new PythonArgumentException("utime: you may specify either 'times' or 'ns' but not both", true);
            }

            var (access, modification) = Pair(ns, "utime: 'ns' must be a tuple of two ints");
            return (StatResult.FromNanoseconds(Arg.Long(access, "ns")), StatResult.FromNanoseconds(Arg.Long(modification, "ns")));
        }

        if (times != 0)
        {
            var (access, modification) = Pair(times, "utime: 'times' must be either a tuple of two ints or None");
            return (FromSeconds(access), FromSeconds(modification));
        }

        var now = _backend.Clock.GetUtcNow();
        return (now, now);
    }

    /// <summary>The two items of a tuple (borrowed): read at C level, the tuple cannot change meanwhile.</summary>
    private static (nint First, nint Second) Pair(nint tuple, string message)
        => Py.IsInstanceOfFlag(tuple, Py.TpFlagsTupleSubclass) && *(nint*)(tuple + 16) == 2
            ? (*(nint*)(tuple + 24), *(nint*)(tuple + 32))
            : throw new PythonArgumentException(message);

    /// <summary>The earliest and latest seconds since the epoch a <see cref="DateTimeOffset"/> holds.</summary>
    private const double MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;

    private static DateTimeOffset FromSeconds(nint value)
    {
        var seconds = Py.TypeOf(value) == LibPython.FloatType ? LibPython.PyFloat_AsDouble(value) : Arg.Long(value, "times");
        return double.IsFinite(seconds) && seconds is >= MinSeconds and <= MaxSeconds
            ? DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))
            : throw new PythonArgumentException(string.Create(CultureInfo.InvariantCulture, $"utime: time {seconds} is out of range"), isValueError: true);
    }

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
                var file = new ProviderFile(fs.Open(inner, PythonOpenFlags.Write, 0x1B6), path, false, true, false, () => null, _backend.FileSystem.Charge);
                try
                {
                    file.Truncate(length);
                }
                finally
                {
                    file.Release();
                }
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
