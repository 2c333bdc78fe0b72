namespace PyHosting.Internal.Managed.State;

/// <summary>
/// Who the runtime is, as Python code sees it. Whatever user the host process runs as (root, in many containers), a
/// Managed runtime is one unprivileged user of its own, the same everywhere: <c>os.getuid()</c>, <c>geteuid()</c>,
/// <c>getgid()</c>, <c>getegid()</c> and <c>getgroups()</c> report it, every file the runtime sees belongs to it
/// (<c>st_uid</c>/<c>st_gid</c>, whatever the provider's host owner), and it may not give a file away
/// (<c>os.chown</c> to other ids is <c>EPERM</c>, as for an unprivileged user). The emulated <c>pwd</c> and
/// <c>grp</c> know this user and <c>root</c>, and nothing of the host's user and group databases.
/// </summary>
internal static class RuntimeIdentity
{
    /// <summary>The runtime's user id (real, effective and saved).</summary>
    public const int UserId = 1000;

    /// <summary>The runtime's group id (real, effective and saved), its only group.</summary>
    public const int GroupId = 1000;

    /// <summary>The runtime's user name (<c>pwd</c>, <c>os.getlogin()</c>, <c>getpass.getuser()</c> without LOGNAME or USER).</summary>
    public const string UserName = "python";

    /// <summary>The runtime's group name.</summary>
    public const string GroupName = "python";

    /// <summary>The login shell the user database names.</summary>
    public const string Shell = "/bin/sh";
}
