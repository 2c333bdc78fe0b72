namespace PyHosting.Providers.Internal;

/// <summary>Builds the exceptions that the stock file systems throw, with <c>strerror</c>-like messages.</summary>
internal static class FileSystemErrors
{
    public static PythonIOException Create(int errorNumber, string path, Exception? innerException = null)
        => new(errorNumber, Describe(errorNumber) + ": '" + path + "'", innerException);

    public static PythonIOException Create(int errorNumber, string path, string otherPath)
        => new(errorNumber, Describe(errorNumber) + ": '" + path + "' -> '" + otherPath + "'");

    public static FileNotFoundException FileNotFound(string path)
        => new(Describe(Errno.ENOENT) + ": '" + path + "'", path);

    public static DirectoryNotFoundException DirectoryNotFound(string path)
        => new(Describe(Errno.ENOENT) + ": '" + path + "'");

    public static UnauthorizedAccessException AccessDenied(string path)
        => new(Describe(Errno.EACCES) + ": '" + path + "'");

    /// <summary>Builds the exception for an errno, using the exception types that the contract names for ENOENT and EACCES.</summary>
    public static Exception FromErrno(int errorNumber, string path, NotFoundKind notFound = NotFoundKind.Errno)
        => errorNumber switch
        {
            Errno.ENOENT when notFound == NotFoundKind.File => FileNotFound(path),
            Errno.ENOENT when notFound == NotFoundKind.Directory => DirectoryNotFound(path),
            Errno.EACCES => AccessDenied(path),
            _ => Create(errorNumber, path),
        };

    public static string Describe(int errorNumber) => errorNumber switch
    {
        Errno.EPERM => "Operation not permitted",
        Errno.ENOENT => "No such file or directory",
        Errno.EIO => "Input/output error",
        Errno.EBADF => "Bad file descriptor",
        Errno.EAGAIN => "Resource temporarily unavailable",
        Errno.ENOMEM => "Cannot allocate memory",
        Errno.EACCES => "Permission denied",
        Errno.EBUSY => "Device or resource busy",
        Errno.EEXIST => "File exists",
        Errno.EXDEV => "Invalid cross-device link",
        Errno.ENOTDIR => "Not a directory",
        Errno.EISDIR => "Is a directory",
        Errno.EINVAL => "Invalid argument",
        Errno.EMFILE => "Too many open files",
        Errno.EFBIG => "File too large",
        Errno.ENOSPC => "No space left on device",
        Errno.ESPIPE => "Illegal seek",
        Errno.EROFS => "Read-only file system",
        Errno.ENAMETOOLONG => "File name too long",
        Errno.ENOSYS => "Function not implemented",
        Errno.ENOTEMPTY => "Directory not empty",
        Errno.ELOOP => "Too many levels of symbolic links",
        Errno.EOPNOTSUPP => "Operation not supported",
        _ => "Unknown error " + errorNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Which exception type an ENOENT becomes.</summary>
internal enum NotFoundKind
{
    /// <summary>A <see cref="PythonIOException"/> with ENOENT.</summary>
    Errno,

    /// <summary>A <see cref="FileNotFoundException"/>.</summary>
    File,

    /// <summary>A <see cref="DirectoryNotFoundException"/>.</summary>
    Directory,
}
