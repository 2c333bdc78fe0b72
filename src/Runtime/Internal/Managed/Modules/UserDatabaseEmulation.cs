using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The managed backend's <c>pwd</c> and <c>grp</c> (the built-in ones read the host's <c>/etc/passwd</c> and
/// <c>/etc/group</c>, and stay out of the inittab): Python modules (<c>pyhosting_pwd.py</c>, <c>pyhosting_grp.py</c>)
/// over a database the host hands them, which holds <c>root</c> and the runtime's own user and group
/// (<see cref="RuntimeIdentity"/>). The runtime user's home is <c>HOME</c> of the runtime's environment when it
/// starts, or else its initial working directory. Reading it needs no permission: it is the runtime's own identity.
/// </summary>
internal static unsafe class UserDatabaseEmulation
{
    /// <summary>Builds the <c>(source, note)</c> pair the start-up finder makes <c>pwd</c> from (a new reference, or 0 with the Python error set).</summary>
    public static nint CreatePwd(ManagedBackend backend)
    {
        var home = Home(backend);
        var note = backend.FunctionFor("pwd._note", "", _ =>
        {
            OwnershipLog.UserDatabaseEmulated(backend.Compatibility, "pwd");
            return Py.Tuple(
                Py.Tuple(Py.NewString("root"), Py.NewString("x"), Py.NewInt(0), Py.NewInt(0), Py.NewString("root"), Py.NewString("/root"), Py.NewString(RuntimeIdentity.Shell)),
                Py.Tuple(Py.NewString(RuntimeIdentity.UserName), Py.NewString("x"), Py.NewInt(RuntimeIdentity.UserId), Py.NewInt(RuntimeIdentity.GroupId), Py.NewString(RuntimeIdentity.UserName), Py.NewString(home), Py.NewString(RuntimeIdentity.Shell)));
        });
        return Pair("pyhosting_pwd.py", note);
    }

    /// <summary>Builds the <c>(source, note)</c> pair the start-up finder makes <c>grp</c> from.</summary>
    public static nint CreateGrp(ManagedBackend backend)
    {
        var note = backend.FunctionFor("grp._note", "", _ =>
        {
            OwnershipLog.UserDatabaseEmulated(backend.Compatibility, "grp");
            return Py.Tuple(
                Py.Tuple(Py.NewString("root"), Py.NewString("x"), Py.NewInt(0), LibPython.PyList_New(0)),
                Py.Tuple(Py.NewString(RuntimeIdentity.GroupName), Py.NewString("x"), Py.NewInt(RuntimeIdentity.GroupId), LibPython.PyList_New(0)));
        });
        return Pair("pyhosting_grp.py", note);
    }

    /// <summary>The runtime user's home: <c>HOME</c> of the runtime's environment at start, or its initial working directory.</summary>
    private static string Home(ManagedBackend backend)
    {
        lock (backend.Environment)
        {
            return backend.Environment.TryGetValue("HOME", out var home) && home.StartsWith('/') ? home : backend.WorkingDirectory;
        }
    }

    private static nint Pair(string source, nint note)
    {
        LibPython.Py_IncRef(note);
        return Py.Tuple(Py.NewString(EmbeddedPython.Source(source)), note);
    }
}
