using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

internal sealed unsafe partial class PosixFunctions
{
    private List<PythonDirectoryEntry> ReadDirectory(string resolved, string operation)
    {
        var entries = OnPath(resolved, followFinal: true, operation, (fs, inner, path, operation) =>
        {
            _backend.CheckMetadata(path, operation);
            try
            {
                return fs.ReadDirectory(inner).ToList();
            }
            catch (Exception e) when (ProviderCalls.IsNotFound(e) && _backend.FileSystem.SystemChildrenOf(path).Any())
            {
                return [];
            }
        });

        if (!_backend.FileSystem.IsSystemPath(resolved))
        {
            // Directories on the way to the Python home show the way there.
            foreach (var name in _backend.FileSystem.SystemChildrenOf(resolved))
            {
                if (!entries.Exists(x => x.Name == name))
                {
                    entries.Add(new PythonDirectoryEntry(name, PythonFileKind.Directory));
                }
            }
        }

        return entries;
    }

    /// <summary>The directory a <c>listdir</c>/<c>scandir</c> argument names: a path, or a descriptor opened on a directory.</summary>
    private string DirectoryOf(PathArg p)
    {
        return p.IsFd ? DirectoryOfDescriptor(p.Fd) : Resolve(p);
    }

    private nint ListDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true, optional: true);
        List<PythonDirectoryEntry> entries;
        try
        {
            entries = ReadDirectory(DirectoryOf(p), "listing");
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }

        var list = LibPython.PyList_New(0);
        if (list == 0)
        {
            return 0;
        }

        foreach (var entry in entries)
        {
            Append(list, Arg.ReturnPath(entry.Name, p.IsBytes));
        }

        return list;
    }

    /// <summary>Returns the shim's scandir iterator over (name, kind, inode) tuples.</summary>
    private nint ScanDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true, optional: true);
        string resolved;
        List<PythonDirectoryEntry> entries;
        try
        {
            resolved = DirectoryOf(p);
            entries = ReadDirectory(resolved, "listing");
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }

        var list = LibPython.PyList_New(0);
        if (list == 0)
        {
            return 0;
        }

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
            Append(list, Py.Tuple(Py.NewString(entry.Name), Py.NewInt(kind), Py.NewInt(StatResult.InodeOf(0, child))));
        }

        // The entries' paths start with the path as it was read, once (an __fspath__ is not asked again); from a
        // descriptor, as in CPython, an entry's path is its name and its stat() uses the descriptor as dir_fd.
        return p.IsFd
            ? ManagedShim.Call("make_scandir", Py.NewString(string.Empty), list, Py.NewBool(false), Py.NewInt(p.Fd))
            : ManagedShim.Call("make_scandir", Arg.ReturnPath(p.Path!, p.IsBytes), list, Py.NewBool(p.IsBytes));
    }

    /// <summary>Appends a new reference to a list and drops it.</summary>
    private static void Append(nint list, nint item)
    {
        LibPython.PyList_Append(list, item);
        LibPython.Py_DecRef(item);
    }

    private nint MkDir(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path");
        var mode = Arg.Int(args, 1, "mode", 0x1FF);
        try
        {
            OnPath(ResolveAt(args, p), followFinal: false, mode & ~_backend.Umask & 0xFFF, (fs, inner, path, mode) =>
            {
                _backend.CheckWrite(path, "creating directory");
                fs.CreateDirectory(inner, mode);
            });
            return Py.NewNone();
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint RmDir(BridgeArgs args) => SimplePathOperation(args, "rmdir", "removing directory", static (fs, inner, _) => fs.DeleteDirectory(inner));

    private nint Remove(BridgeArgs args) => SimplePathOperation(args, "remove", "removing", static (fs, inner, _) => fs.DeleteFile(inner));

    /// <summary>An operation on one path that changes the file system and returns nothing.</summary>
    private nint SimplePathOperation(BridgeArgs args, string function, string operation, Action<IPythonFileSystem, string, int> action)
    {
        var p = Arg.Path(args, 0, "path");
        try
        {
            OnPath(ResolveAt(args, p), followFinal: false, (operation, action), (fs, inner, path, state) =>
            {
                _backend.CheckWrite(path, state.operation);
                state.action(fs, inner, 0);
            });
            return Py.NewNone();
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint Rename(BridgeArgs args) => RenameImpl(args, "rename");

    private nint Replace(BridgeArgs args) => RenameImpl(args, "replace");

    private nint RenameImpl(BridgeArgs args, string name)
    {
        var src = Arg.Path(args, 0, "src");
        var dst = Arg.Path(args, 1, "dst");
        try
        {
            var from = ResolveAt(args, src, "src_dir_fd");
            var to = ResolveAt(args, dst, "dst_dir_fd");
            for (var hop = 0; ; hop++)
            {
                _backend.CheckWrite(from, "renaming");
                _backend.CheckWrite(to, "renaming");
                var (fs1, inner1, _) = _backend.FileSystem.Route(from);
                var (fs2, inner2, _) = _backend.FileSystem.Route(to);
                if (!ReferenceEquals(fs1, fs2))
                {
                    throw new PythonIOException(Errno.EXDEV, "Invalid cross-device link");
                }

                try
                {
                    fs1.Rename(inner1, inner2, replace: true);
                    FollowRename(from, to);
                    return Py.NewNone();
                }
                catch (Exception e) when (ProviderCalls.IsNotFound(e) && hop < MaxLinkHops)
                {
                    var nextFrom = FollowLinksInRuntime(from, followFinal: false);
                    var nextTo = FollowLinksInRuntime(to, followFinal: false);
                    if (nextFrom is null && nextTo is null)
                    {
                        throw;
                    }

                    from = nextFrom ?? from;
                    to = nextTo ?? to;
                }
            }
        }
        catch (Exception) when (Tag(src.Path, dst.Path))
        {
            throw;
        }
    }

    private nint Symlink(BridgeArgs args)
    {
        var target = Arg.Path(args, 0, "src");
        var link = Arg.Path(args, 1, "dst");
        try
        {
            if (target.Path!.Contains('\0', StringComparison.Ordinal))
            {
                throw new PythonArgumentException("embedded null byte", isValueError: true);
            }

            OnPath(ResolveAt(args, link), followFinal: false, target.Path, (fs, inner, path, target) =>
            {
                _backend.CheckWrite(path, "creating symbolic link");
                fs.CreateSymbolicLink(inner, target);
            });
            return Py.NewNone();
        }
        catch (Exception) when (Tag(target.Path, link.Path))
        {
            throw;
        }
    }

    /// <summary>
    /// <c>os.link</c>: both names must be writable and in the same file system (one mount), which makes the link
    /// (<see cref="IPythonFileSystem.CreateHardLink"/>; a provider without hard links answers <c>EPERM</c>). A final
    /// symbolic link in the source is followed here, in the runtime's name space, when Python asks to.
    /// </summary>
    private nint Link(BridgeArgs args)
    {
        var src = Arg.Path(args, 0, "src");
        var dst = Arg.Path(args, 1, "dst");
        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        try
        {
            // Refused before anything is resolved: a denied link says nothing about what exists.
            var to = ResolveAt(args, dst, "dst_dir_fd");
            var named = ResolveAt(args, src, "src_dir_fd");
            _backend.CheckWrite(to, "linking");
            _backend.CheckWrite(named, "linking");
            var from = LinkSource(named, follow);
            for (var hop = 0; ; hop++)
            {
                _backend.CheckWrite(from, "linking");
                _backend.CheckWrite(to, "linking");
                var (fs1, inner1, _) = _backend.FileSystem.Route(from);
                var (fs2, inner2, _) = _backend.FileSystem.Route(to);
                if (!ReferenceEquals(fs1, fs2))
                {
                    throw new PythonIOException(Errno.EXDEV, "Invalid cross-device link");
                }

                try
                {
                    fs1.CreateHardLink(inner1, inner2);
                    return Py.NewNone();
                }
                catch (Exception e) when (ProviderCalls.IsNotFound(e) && hop < MaxLinkHops)
                {
                    // The source exists: a parent of the new name is a link the provider cannot follow.
                    var next = FollowLinksInRuntime(to, followFinal: false);
                    if (next is null || next == to)
                    {
                        throw;
                    }

                    to = next;
                }
            }
        }
        catch (Exception) when (Tag(src.Path, dst.Path))
        {
            throw;
        }
    }

    /// <summary>The existing entry <c>os.link</c> names: symbolic links on the way followed in the runtime, the final one when <paramref name="follow"/>.</summary>
    private string LinkSource(string path, bool follow)
    {
        for (var hop = 0; hop < MaxLinkHops; hop++)
        {
            _backend.CheckMetadata(path, "linking");
            var (fs, inner, _) = _backend.FileSystem.Route(path);
            var own = TryStatus(fs, inner, follow: false);
            if (own is null)
            {
                var next = FollowLinksInRuntime(path, followFinal: false);
                path = next is null || next == path ? throw NotFound() : next;
                continue;
            }

            if (!follow || own.Kind != PythonFileKind.SymbolicLink)
            {
                return path;
            }

            path = ManagedPath.Resolve(ManagedPath.Parent(path), fs.ReadSymbolicLink(inner));
        }

        throw LinkLoop();
    }

    private nint ReadLink(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path");
        try
        {
            var text = OnPath(ResolveAt(args, p), followFinal: false, 0, (fs, inner, path, _) =>
            {
                _backend.CheckMetadata(path, "reading link");
                return fs.ReadSymbolicLink(inner);
            });
            return Arg.ReturnPath(text, p.IsBytes);
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint ChMod(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path", allowFd: true);
        NoDirFdWithFd(args, p, "chmod");
        var mode = Arg.Int(args, 1, "mode") & 0xFFF;
        var follow = Arg.Bool(args, 99, "follow_symlinks", true);
        try
        {
            if (p.IsFd)
            {
                SetModeOf(_backend.Fds.Get(p.Fd), mode);
                return Py.NewNone();
            }

            OnPath(ResolveAt(args, p), follow, (mode, follow), (fs, inner, path, state) =>
            {
                _backend.CheckWrite(path, "changing mode of");
                fs.SetMode(inner, state.mode, state.follow);
            });
            return Py.NewNone();
        }
        catch (PythonIOException e) when (!follow && e.ErrorNumber == Errno.EOPNOTSUPP)
        {
            // As CPython on Linux, where links have no mode of their own.
            throw new NotImplementedAccessException("chmod: follow_symlinks unavailable on this platform");
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    private nint FChMod(BridgeArgs args)
    {
        SetModeOf(_backend.Fds.Get(FdOf(Arg.Required(args, 0, "fd"))), Arg.Int(args, 1, "mode") & 0xFFF);
        return Py.NewNone();
    }

    private void SetModeOf(OpenFile file, int mode)
    {
        var path = file is ProviderFile or DirectoryFile ? file.Path! : throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        _backend.CheckWrite(path, "changing mode of");
        var (fs, inner, _) = _backend.FileSystem.Route(path);
        fs.SetMode(inner, mode);
    }
}
