using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary><c>os.open</c> and the shim's <c>open</c>: provider files, directories and <c>/dev/null</c> as virtual descriptors.</summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>Flags that change nothing for a virtual descriptor: close-on-exec (nothing is exec'd), no controlling terminal, large files.</summary>
    private const int SilentlyIgnoredFlags = 0x80000 | 0x100 | 0x8000;

    /// <summary>Flags the emulation honours.</summary>
    private const int HonouredFlags = 3 | OCreat | OExcl | OTrunc | OAppend | ODirectory | OTmpFile | ONoFollow;

    public const int ONoFollow = 0x20000;

    /// <summary>Opens a provider file as a virtual descriptor (shared by <c>os.open</c> and the shim's <c>open</c>).</summary>
    public int OpenPath(string path, int flags, int mode)
    {
        try
        {
            var resolved = ManagedPath.Resolve(_backend.WorkingDirectory, path);
            if (path.Length > 1 && path[^1] == '/' && resolved != NullDevice && (flags & ODirectory) == 0)
            {
                // "name/" names a directory, as for the kernel: a missing one cannot be created as a file (EISDIR with
                // O_CREAT, which shutil.copyfile reports as a missing directory), a file is ENOTDIR.
                var status = StatPathOrNull(resolved, follow: true, "open");
                if (status is null)
                {
                    throw (flags & OCreat) != 0 ? new PythonIOException(Errno.EISDIR, "Is a directory") : NotFound();
                }

                if (status.Kind != PythonFileKind.Directory)
                {
                    throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
                }
            }

            return OpenResolved(resolved, flags, mode);
        }
        catch (Exception) when (Tag(path))
        {
            throw;
        }
    }

    private int OpenResolved(string resolved, int flags, int mode)
    {
        if (resolved == NullDevice)
        {
            return _backend.Fds.Add(new NullFile());
        }

        if ((flags & OTmpFile) == OTmpFile)
        {
            // tempfile falls back to mkstemp on EISDIR.
            throw new PythonIOException(Errno.EISDIR, "Is a directory");
        }

        var ignored = flags & ~(HonouredFlags | SilentlyIgnoredFlags);
        if (ignored != 0)
        {
            PosixLog.IgnoredOpenFlags(_backend.Compatibility, ignored, resolved);
        }

        var access = flags & 3;
        var readable = access is ORdOnly or ORdWr;
        var writable = access is OWrOnly or ORdWr;
        var providerFlags = (readable ? PythonOpenFlags.Read : 0) | (writable ? PythonOpenFlags.Write : 0)
            | ((flags & OCreat) != 0 ? PythonOpenFlags.Create : 0)
            | ((flags & OExcl) != 0 ? PythonOpenFlags.Exclusive : 0)
            | ((flags & OTrunc) != 0 ? PythonOpenFlags.Truncate : 0)
            | ((flags & OAppend) != 0 ? PythonOpenFlags.Append : 0);
        var changes = writable || (providerFlags & (PythonOpenFlags.Create | PythonOpenFlags.Truncate | PythonOpenFlags.Append)) != 0;
        var follow = (flags & ONoFollow) == 0 && (flags & (OCreat | OExcl)) != (OCreat | OExcl);
        if ((flags & ODirectory) != 0)
        {
            if (changes)
            {
                throw new PythonIOException(Errno.EISDIR, "Is a directory");
            }

            return OpenDirectory(resolved, follow);
        }

        if ((flags & ONoFollow) != 0)
        {
            RefuseLink(resolved);
        }

        var state = (providerFlags, mode & ~_backend.Umask & 0xFFF, changes, readable, writable, append: (flags & OAppend) != 0);
        try
        {
            return OnPath(resolved, follow, state, (fs, inner, path, s) =>
            {
                if (s.changes)
                {
                    _backend.CheckWrite(path, "writing");
                }
                else
                {
                    _backend.CheckRead(path, "reading");
                }

                var stream = fs.Open(inner, s.providerFlags, s.Item2);
                return _backend.Fds.Add(new ProviderFile(stream, path, s.readable, s.writable, s.append, () => fs.GetStatus(inner), s.writable ? _backend.FileSystem.Charge : null));
            });
        }
        catch (Exception e) when (!changes && IsDirectoryError(e))
        {
            // POSIX opens a directory read-only; reading it then fails with EISDIR (io.FileIO checks first).
            return OpenDirectory(resolved, follow);
        }
    }

    private static bool IsDirectoryError(Exception e) => e is PythonIOException { ErrorNumber: Errno.EISDIR } or UnauthorizedAccessException;

    private int OpenDirectory(string resolved, bool follow)
    {
        var status = StatPathOrNull(resolved, follow, "reading", out var final) ?? throw NotFound();
        if (status.Kind != PythonFileKind.Directory)
        {
            throw new PythonIOException(Errno.ENOTDIR, "Not a directory");
        }

        // The descriptor names the directory itself: a link on the way, followed in the runtime, is not asked again.
        _backend.CheckRead(resolved, "reading");
        _backend.CheckRead(final, "reading");
        return _backend.Fds.Add(new DirectoryFile(final, DirectoryStatus, status.Inode));
    }

    /// <summary>The status of a directory a descriptor names, at its current runtime path (<see langword="null"/> when it is gone).</summary>
    private PythonFileStatus? DirectoryStatus(string path) => StatPathOrNull(path, follow: true, "reading");

    /// <summary><c>O_NOFOLLOW</c>: a final symbolic link is refused with <c>ELOOP</c>.</summary>
    private void RefuseLink(string resolved)
    {
        var (fs, inner, _) = _backend.FileSystem.Route(resolved);
        if (TryStatus(fs, inner, follow: false) is { Kind: PythonFileKind.SymbolicLink })
        {
            throw LinkLoop();
        }
    }

    private nint Open(BridgeArgs args)
    {
        var p = Arg.Path(args, 0, "path");
        var flags = Arg.Int(args, 1, "flags");
        var mode = Arg.Int(args, 2, "mode", 0x1FF);
        try
        {
            return Py.NewInt(OpenResolved(ResolveAt(args, p), flags, mode));
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }
}
