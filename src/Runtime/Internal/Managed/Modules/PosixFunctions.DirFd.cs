using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// <c>dir_fd</c>, <c>src_dir_fd</c> and <c>dst_dir_fd</c>: a relative path is resolved against the runtime path of the
/// directory a virtual descriptor was opened on (<c>os.open(dir, O_RDONLY)</c>), then goes through the same mount
/// table and permission checks as any path. A directory descriptor remembers its directory's runtime path: it follows
/// a rename made by the runtime itself (<see cref="FollowRename"/>), not one made from outside it (the host, another
/// runtime or a child process), after which it names what is at the old path — as a path would, never more than the
/// path's own permissions allow. An absolute path ignores the descriptor, as POSIX says.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>Resolves a path argument against its <c>dir_fd</c>-like parameter <paramref name="key"/> (or the working directory).</summary>
    /// <exception cref="PythonIOException"><c>EBADF</c>: the descriptor is not open; <c>ENOTDIR</c>: it is not a directory.</exception>
    private string ResolveAt(BridgeArgs args, PathArg p, string key = "dir_fd")
    {
        var dirFd = DirFdOf(args, key);
        if (dirFd is null || p.Path!.StartsWith('/'))
        {
            return Resolve(p);
        }

        return ManagedPath.Resolve(DirectoryOfDescriptor(dirFd.Value), p.Path);
    }

    /// <summary>Reads a <c>dir_fd</c>-like parameter: None (or absent) is <see langword="null"/>, an integer (or <c>__index__</c>) its value.</summary>
    private static int? DirFdOf(BridgeArgs args, string key)
    {
        var o = args.Declares(key) ? args.Get(key) : 0;
        if (o == 0 || o == LibPython.None)
        {
            return null;
        }

        if (Py.TypeOf(o) == LibPython.FloatType)
        {
            throw new PythonArgumentException($"argument should be integer or None, not {Py.TypeName(o)}");
        }

        return Arg.ToInt(Arg.Long(o, key), key);
    }

    /// <summary>
    /// The runtime path of the directory a descriptor was opened on, once it is checked that the directory is still
    /// there: a directory moved or replaced (by a link, too) from outside the runtime since it was opened is
    /// <c>ENOENT</c>, never whatever now stands at its path (when the provider reports inodes).
    /// </summary>
    /// <exception cref="PythonIOException"><c>EBADF</c>: not open; <c>ENOTDIR</c>: not a directory; <c>ENOENT</c>: gone.</exception>
    private string DirectoryOfDescriptor(int fd)
    {
        if (_backend.Fds.Get(fd) is not DirectoryFile { Path: { } path } directory)
        {
            throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
        }

        if (directory.Inode != 0)
        {
            var status = StatPathOrNull(path, follow: true, "reading");
            if (status is not { Kind: PythonFileKind.Directory } || status.Inode != directory.Inode)
            {
                throw NotFound();
            }
        }

        return path;
    }

    /// <summary>Refuses <c>dir_fd</c> together with a descriptor in place of the path, as CPython does.</summary>
    private static void NoDirFdWithFd(BridgeArgs args, PathArg p, string function)
    {
        if (p.IsFd && DirFdOf(args, "dir_fd") is not null)
        {
            throw new PythonArgumentException($"{function}: can't specify dir_fd without matching path", isValueError: true);
        }
    }

    /// <summary>After a rename made by the runtime: directory descriptors on the old name, or below it, follow the directory.</summary>
    private void FollowRename(string from, string to)
    {
        for (var fd = 0; fd < FdTable.MaxDescriptors; fd++)
        {
            if (_backend.Fds.TryGet(fd, out var file) && file is DirectoryFile directory && ManagedPath.IsUnder(directory.Path!, from) && from != "/")
            {
                directory.Rename(to + directory.Path![from.Length..]);
            }
        }
    }
}
