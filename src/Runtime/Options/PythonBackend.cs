namespace PyHosting;

/// <summary>How Python's OS interface (files, processes, environment, clock) is served.</summary>
public enum PythonBackend
{
    /// <summary>
    /// Every OS operation of Python code goes through the .NET providers registered in DI and is
    /// refused where <see cref="PythonRuntimeOptions.Permissions"/> says so. Some POSIX behaviour is
    /// emulated (working directory, umask, file descriptors). The default.
    /// </summary>
    Managed = 0,

    /// <summary>
    /// Python calls POSIX directly, exactly like CPython: the most compatible, not sandboxed, and
    /// unable to honour custom providers. Requires <c>IO=All</c> and <c>NativeAccess=true</c>.
    /// </summary>
    Native = 1,
}
