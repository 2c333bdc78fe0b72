using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The runtime's identity and the ownership of its files (<see cref="RuntimeIdentity"/>): the id functions report the
/// runtime's own user and group, never the host process's; <c>chown</c>, <c>lchown</c> and <c>fchown</c> check the
/// file and the permissions as any change of metadata, then succeed when nothing would change (<c>-1</c> or the
/// runtime's own ids) and answer <c>EPERM</c> otherwise, as for an unprivileged user. No owner is ever changed on a
/// provider, physical mounts included.
/// </summary>
internal sealed unsafe partial class PosixFunctions
{
    /// <summary>The largest id: <c>(uid_t)-1</c>, which means "unchanged" as <c>-1</c> does.</summary>
    private const long NoId = uint.MaxValue;

    private nint GetUid(BridgeArgs args) => Identity("user id", RuntimeIdentity.UserId);

    private nint GetGid(BridgeArgs args) => Identity("group id", RuntimeIdentity.GroupId);

    private nint Identity(string what, long id)
    {
        OwnershipLog.EmulatedIdentity(_backend.Compatibility, what);
        return Py.NewInt(id);
    }

    private nint GetGroups(BridgeArgs args)
    {
        OwnershipLog.EmulatedIdentity(_backend.Compatibility, "groups");
        var list = LibPython.PyList_New(0);
        if (list != 0)
        {
            Append(list, Py.NewInt(RuntimeIdentity.GroupId));
        }

        return list;
    }

    /// <summary><c>os.getgrouplist(user, group)</c> from the emulated group database: the group given, and the runtime's group for its user.</summary>
    private nint GetGroupList(BridgeArgs args)
    {
        var user = Arg.Required(args, 0, "user");
        if (!Py.IsInstanceOfFlag(user, Py.TpFlagsUnicodeSubclass))
        {
            throw new PythonArgumentException($"getgrouplist() argument 1 must be str, not {Py.TypeName(user)}");
        }

        var name = Py.ReadString(user) ?? throw new PythonErrorException();
        var group = Id(Arg.Required(args, 1, "group"), "group");
        OwnershipLog.UserDatabaseEmulated(_backend.Compatibility, "os.getgrouplist");
        var list = LibPython.PyList_New(0);
        if (list != 0)
        {
            Append(list, Py.NewInt(group));
            if (name == RuntimeIdentity.UserName && group != RuntimeIdentity.GroupId)
            {
                Append(list, Py.NewInt(RuntimeIdentity.GroupId));
            }
        }

        return list;
    }

    private nint GetResIds(string what, long id)
    {
        OwnershipLog.EmulatedIdentity(_backend.Compatibility, what);
        return Py.Tuple(Py.NewInt(id), Py.NewInt(id), Py.NewInt(id));
    }

    /// <summary><c>os.getlogin()</c>: the runtime's user (there is no terminal session to ask).</summary>
    private nint GetLogin(BridgeArgs args)
    {
        OwnershipLog.EmulatedIdentity(_backend.Compatibility, "login name");
        return Py.NewString(RuntimeIdentity.UserName);
    }

    private nint ChOwn(BridgeArgs args) => ChOwnImpl(args, "chown", Arg.Bool(args, 99, "follow_symlinks", true));

    private nint LChOwn(BridgeArgs args) => ChOwnImpl(args, "lchown", follow: false);

    private nint FChOwn(BridgeArgs args)
    {
        var fd = FdOf(Arg.Required(args, 0, "fd"));
        var (uid, gid) = OwnerArguments(args);
        var file = _backend.Fds.Get(fd);
        var path = file.Path ?? "fd " + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (file is ProviderFile or DirectoryFile)
        {
            _backend.CheckWrite(path, "changing owner of");
        }

        return ChangeOwner("os.fchown", path, uid, gid);
    }

    private nint ChOwnImpl(BridgeArgs args, string name, bool follow)
    {
        var p = Arg.Path(args, 0, "path", allowFd: name == "chown");
        NoDirFdWithFd(args, p, name);
        var (uid, gid) = OwnerArguments(args);
        if (p.IsFd)
        {
            var file = _backend.Fds.Get(p.Fd);
            if (file is ProviderFile or DirectoryFile)
            {
                _backend.CheckWrite(file.Path!, "changing owner of");
            }

            return ChangeOwner("os." + name, file.Path ?? string.Empty, uid, gid);
        }

        try
        {
            var resolved = ResolveAt(args, p);
            _backend.CheckWrite(resolved, "changing owner of");
            _ = StatPath(resolved, follow, "changing owner of");
            return ChangeOwner("os." + name, resolved, uid, gid);
        }
        catch (Exception) when (Tag(p.Path))
        {
            throw;
        }
    }

    /// <summary>Reads <c>uid</c> and <c>gid</c> as CPython does: integers (<c>__index__</c>), <c>-1</c> for "unchanged".</summary>
    private static (long Uid, long Gid) OwnerArguments(BridgeArgs args)
        => (Id(Arg.Required(args, 1, "uid"), "uid"), Id(Arg.Required(args, 2, "gid"), "gid"));

    private static long Id(nint o, string name)
    {
        if (Py.TypeOf(o) == LibPython.FloatType)
        {
            throw new PythonArgumentException($"{name} should be integer, not {Py.TypeName(o)}");
        }

        long value;
        try
        {
            value = Arg.Long(o, name);
        }
        catch (PythonArgumentException e) when (e.IsValueError)
        {
            throw Overflow($"{name} is greater than maximum");
        }

        return value switch
        {
            -1 or NoId => -1,
            < -1 => throw Overflow($"{name} is less than minimum"),
            > NoId => throw Overflow($"{name} is greater than maximum"),
            _ => value,
        };
    }

    /// <summary>An <c>OverflowError</c>, as CPython's id converter raises for an id out of <c>uid_t</c>'s range.</summary>
    private static PythonErrorException Overflow(string message)
    {
        Py.SetError(*(nint*)LibPython.Export("PyExc_OverflowError"), message);
        return new PythonErrorException();
    }

    /// <summary>
    /// <c>setuid</c>, <c>seteuid</c>, <c>setreuid</c>, <c>setresuid</c> and their group forms, as for an unprivileged
    /// user: ids that are the runtime's own (or <c>-1</c>, "unchanged", where the call takes it) change nothing; any
    /// other is <c>EPERM</c>. The host process's ids are never changed.
    /// </summary>
    private nint SetIds(BridgeArgs args, string function, bool user, params ReadOnlySpan<string> names)
    {
        var own = user ? RuntimeIdentity.UserId : RuntimeIdentity.GroupId;
        var permitted = true;
        foreach (var name in names)
        {
            var id = Id(Arg.Required(args, 0, name), name);
            permitted &= id == own || (id == -1 && names.Length > 1);
        }

        if (permitted)
        {
            OwnershipLog.EmulatedIdentity(_backend.Compatibility, function + " (unchanged)");
            return Py.NewNone();
        }

        OwnershipLog.IdentityChangeRefused(_backend.Compatibility, function);
        throw new PythonIOException(Errno.EPERM, "Operation not permitted");
    }

    /// <summary><c>setgroups</c> and <c>initgroups</c>: an unprivileged user may not change its supplementary groups (<c>EPERM</c>).</summary>
    private nint SetGroups(BridgeArgs args, string function)
    {
        _ = Arg.Required(args, 0, function == "os.setgroups" ? "groups" : "username");
        OwnershipLog.IdentityChangeRefused(_backend.Compatibility, function);
        throw new PythonIOException(Errno.EPERM, "Operation not permitted");
    }

    /// <summary>Nothing changes for the runtime's own ids; any other is <c>EPERM</c>.</summary>
    private nint ChangeOwner(string function, string path, long uid, long gid)
    {
        if ((uid == -1 || uid == RuntimeIdentity.UserId) && (gid == -1 || gid == RuntimeIdentity.GroupId))
        {
            OwnershipLog.OwnerUnchanged(_backend.Compatibility, function, path);
            return Py.NewNone();
        }

        OwnershipLog.OwnerChangeRefused(_backend.Compatibility, function, path, uid, gid);
        throw new PythonIOException(Errno.EPERM, "Operation not permitted");
    }
}
