namespace PyHosting.Providers;

/// <summary>How <see cref="IPythonFileSystem.Open"/> opens a file (the POSIX <c>O_*</c> flags that matter to a provider).</summary>
[Flags]
public enum PythonOpenFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Open for reading.</summary>
    Read = 1,

    /// <summary>Open for writing.</summary>
    Write = 2,

    /// <summary>Create the file when it does not exist (<c>O_CREAT</c>).</summary>
    Create = 4,

    /// <summary>With <see cref="Create"/>, fail with <c>EEXIST</c> when the file exists (<c>O_EXCL</c>).</summary>
    Exclusive = 8,

    /// <summary>Truncate the file to zero length (<c>O_TRUNC</c>).</summary>
    Truncate = 16,

    /// <summary>Every write goes to the end of the file (<c>O_APPEND</c>).</summary>
    Append = 32,

    /// <summary>Open for reading and writing.</summary>
    ReadWrite = Read | Write,
}
