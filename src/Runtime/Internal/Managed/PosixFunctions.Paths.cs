using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

internal static unsafe partial class PosixFunctions
{
    private static List<PythonDirectoryEntry> ReadDirectory(string resolved, string operation)
    {
        B.CheckMetadata(resolved, operation);
        var (fs, inner, isSystem) = B.FileSystem.Route(resolved);
        var extra = isSystem ? [] : B.FileSystem.SystemChildrenOf(resolved).Distinct().ToList();
        List<PythonDirectoryEntry> entries;
        try
        {
            entries = WithPaths(resolved, () => fs.ReadDirectory(inner)).ToList();
        }
        catch (Exception e) when (extra.Count > 0 && e is DirectoryNotFoundException or FileNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT })
        {
            entries = [];
        }

        foreach (var name in extra)
        {
            if (!entries.Any(x => x.Name == name))
            {
                entries.Add(new PythonDirectoryEntry(name, PythonFileKind.Directory));
            }
        }

        return entries;
    }

    private static nint ListDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true, optional: true);
        if (p.IsFd)
        {
            throw new UnsupportedOperationException("os.listdir on a file descriptor is not supported by the managed backend");
        }

        var resolved = Resolve(p);
        ManagedErrors.SetPaths(p.Path);
        var entries = ReadDirectory(resolved, "listing");
        var list = LibPython.PyList_New(0);
        foreach (var entry in entries)
        {
            var item = Arg.ReturnPath(entry.Name, p.IsBytes);
            LibPython.PyList_Append(list, item);
            LibPython.Py_DecRef(item);
        }

        return list;
    }

    /// <summary>Returns the shim's scandir iterator over (name, kind, inode) tuples.</summary>
    private static nint ScanDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true, optional: true);
        if (p.IsFd)
        {
            throw new UnsupportedOperationException("os.scandir on a file descriptor is not supported by the managed backend");
        }

        var resolved = Resolve(p);
        ManagedErrors.SetPaths(p.Path);
        var entries = ReadDirectory(resolved, "listing");
        var list = LibPython.PyList_New(0);
        foreach (var entry in entries)
        {
            var kind = entry.Kind switch
            {
                PythonFileKind.Directory => 1,
                PythonFileKind.SymbolicLink => 2,
                PythonFileKind.File => 0,
                _ => 3,
            };
            var child = resolved == "/" ? "/" + entry.Name : resolved + "/" + entry.Name;
            var tuple = Py.Tuple(Py.NewString(entry.Name), Py.NewInt(kind), Py.NewInt(StatResult.InodeOf(new PythonFileStatus(entry.Kind, 0, 0, default, default, default), child)));
            LibPython.PyList_Append(list, tuple);
            LibPython.Py_DecRef(tuple);
        }

        var path = args.Get(0, "path");
        if (path == 0 || path == LibPython.None)
        {
            path = Py.NewString(".");
        }
        else
        {
            LibPython.Py_IncRef(path);
        }

        return ManagedShim.Call("make_scandir", path, list, Py.NewBool(p.IsBytes));
    }

    private static nint MkDir(BridgeArgs args)
    {
        Arg.NoDirFd(args, "mkdir");
        var p = Arg.Path(args, 0, "path");
        var mode = Arg.Int(args, 1, "mode", 0x1FF);
        var resolved = Resolve(p);
        B.CheckWrite(resolved, "creating directory");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path!, () => fs.CreateDirectory(inner, mode & ~B.Umask & 0xFFF));
        return Py.NewNone();
    }

    private static nint RmDir(BridgeArgs args)
    {
        Arg.NoDirFd(args, "rmdir");
        var p = Arg.Path(args, 0, "path");
        var resolved = Resolve(p);
        B.CheckWrite(resolved, "removing directory");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path!, () => fs.DeleteDirectory(inner));
        return Py.NewNone();
    }

    private static nint Remove(BridgeArgs args)
    {
        Arg.NoDirFd(args, "remove");
        var p = Arg.Path(args, 0, "path");
        var resolved = Resolve(p);
        B.CheckWrite(resolved, "removing");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path!, () => fs.DeleteFile(inner));
        return Py.NewNone();
    }

    private static nint Rename(BridgeArgs args) => RenameImpl(args, "rename");

    private static nint Replace(BridgeArgs args) => RenameImpl(args, "replace");

    private static nint RenameImpl(BridgeArgs args, string name)
    {
        Arg.NoDirFd(args, name);
        var src = Arg.Path(args, 0, "src");
        var dst = Arg.Path(args, 1, "dst");
        var from = Resolve(src);
        var to = Resolve(dst);
        B.CheckWrite(from, "renaming");
        B.CheckWrite(to, "renaming");
        var (fs1, inner1, _) = B.FileSystem.Route(from);
        var (fs2, inner2, _) = B.FileSystem.Route(to);
        if (!ReferenceEquals(fs1, fs2))
        {
            ManagedErrors.SetPaths(src.Path, dst.Path);
            throw new PythonIOException(Errno.EXDEV, "Invalid cross-device link");
        }

        WithPaths(src.Path!, () => fs1.Rename(inner1, inner2, replace: true), dst.Path);
        return Py.NewNone();
    }

    private static nint Symlink(BridgeArgs args)
    {
        Arg.NoDirFd(args, "symlink");
        var target = Arg.Path(args, 0, "src");
        var link = Arg.Path(args, 1, "dst");
        var resolved = Resolve(link);
        B.CheckWrite(resolved, "creating symbolic link");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(link.Path!, () => fs.CreateSymbolicLink(inner, target.Path!));
        return Py.NewNone();
    }

    private static nint ReadLink(BridgeArgs args)
    {
        Arg.NoDirFd(args, "readlink");
        var p = Arg.Path(args, 0, "path");
        var resolved = Resolve(p);
        B.CheckMetadata(resolved, "reading link");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        var text = WithPaths(p.Path!, () => fs.ReadSymbolicLink(inner));
        return Arg.ReturnPath(text, p.IsBytes);
    }

    private static nint ChMod(BridgeArgs args) => ChModImpl(args, Arg.Bool(args, 99, "follow_symlinks", true));

    private static nint LChMod(BridgeArgs args) => ChModImpl(args, false);

    private static nint ChModImpl(BridgeArgs args, bool follow)
    {
        Arg.NoDirFd(args, "chmod");
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var mode = Arg.Int(args, 1, "mode");
        var resolved = p.IsFd ? B.Fds.Get(p.Fd).Path ?? throw new PythonIOException(Errno.EBADF, "Bad file descriptor") : Resolve(p);
        B.CheckWrite(resolved, "changing mode of");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path ?? resolved, () => fs.SetMode(inner, mode & 0xFFF, follow));
        return Py.NewNone();
    }

    private static nint FChMod(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        var mode = Arg.Int(args, 1, "mode");
        var path = file.Path ?? throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        B.CheckWrite(path, "changing mode of");
        var (fs, inner, _) = B.FileSystem.Route(path);
        fs.SetMode(inner, mode & 0xFFF);
        return Py.NewNone();
    }

    private static nint UTime(BridgeArgs args)
    {
        Arg.NoDirFd(args, "utime");
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        var resolved = p.IsFd ? B.Fds.Get(p.Fd).Path ?? throw new PythonIOException(Errno.EBADF, "Bad file descriptor") : Resolve(p);
        var times = args.Get(1, "times");
        var ns = args.Keyword("ns");
        DateTimeOffset access, modification;
        if (ns != 0 && ns != LibPython.None)
        {
            if (times != 0 && times != LibPython.None)
            {
                throw new PythonArgumentException("utime: you may specify either 'times' or 'ns' but not both", true);
            }

            var pair = (List<object?>)(ValueConverter.ToClr(ns) ?? throw new PythonArgumentException("utime: 'ns' must be a tuple of two ints"));
            access = StatResult.FromNanoseconds(Convert.ToInt64(pair[0], System.Globalization.CultureInfo.InvariantCulture));
            modification = StatResult.FromNanoseconds(Convert.ToInt64(pair[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (times != 0 && times != LibPython.None)
        {
            var pair = ValueConverter.ToClr(times) as List<object?> ?? throw new PythonArgumentException("utime: 'times' must be either a tuple of two ints or None");
            access = FromSeconds(pair[0]);
            modification = FromSeconds(pair[1]);
        }
        else
        {
            access = modification = B.Clock.GetUtcNow();
        }

        B.CheckWrite(resolved, "setting times of");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path ?? resolved, () => fs.SetTimes(inner, access, modification, follow));
        return Py.NewNone();
    }

    private static DateTimeOffset FromSeconds(object? value) => value switch
    {
        long l => DateTimeOffset.UnixEpoch.AddSeconds(l),
        double d => DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(d * TimeSpan.TicksPerSecond)),
        _ => throw new PythonArgumentException("utime: times must be numbers"),
    };

    private static nint Truncate(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        var length = Arg.Long(args, 1, "length");
        if (p.IsFd)
        {
            B.Fds.Get(p.Fd).Truncate(length);
            return Py.NewNone();
        }

        var resolved = Resolve(p);
        B.CheckWrite(resolved, "truncating");
        var (fs, inner, _) = B.FileSystem.Route(resolved);
        WithPaths(p.Path!, () =>
        {
            using var stream = fs.Open(inner, PythonOpenFlags.Write);
            stream.SetLength(length);
        });
        return Py.NewNone();
    }

    private static nint FTruncate(BridgeArgs args)
    {
        var file = B.Fds.Get(Arg.Int(args, 0, "fd"));
        file.Truncate(Arg.Long(args, 1, "length"));
        return Py.NewNone();
    }
}
