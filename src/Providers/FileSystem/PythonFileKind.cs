namespace PyHosting.Providers;

/// <summary>The kind of a file system entry, as in the <c>S_IFMT</c> bits of a POSIX mode.</summary>
public enum PythonFileKind
{
    /// <summary>A regular file (<c>S_IFREG</c>).</summary>
    File,

    /// <summary>A directory (<c>S_IFDIR</c>).</summary>
    Directory,

    /// <summary>A symbolic link (<c>S_IFLNK</c>); only reported when links are not followed.</summary>
    SymbolicLink,

    /// <summary>Anything else (device, FIFO, socket).</summary>
    Other,
}
