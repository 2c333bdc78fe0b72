namespace PyHosting.Internal.Managed;

/// <summary>An operation refused by the permissions; Python sees <c>PermissionError</c> naming the key.</summary>
internal sealed class PermissionDeniedException(string message, string permissionKey) : Exception(message)
{
    public string PermissionKey { get; } = permissionKey;

    /// <summary>
    /// Gets a value indicating whether the refused operation only asked whether something exists (stat, lstat, access,
    /// listing): the importer, <c>sysconfig</c> and <c>os.path.exists</c> probe paths as a matter of course, and a refused
    /// probe reveals and changes nothing, so it is logged at Debug and not counted as a denial.
    /// </summary>
    public bool IsProbe { get; init; }
}

/// <summary>A POSIX feature the Managed backend does not offer; Python sees <c>io.UnsupportedOperation</c>.</summary>
internal sealed class UnsupportedOperationException(string message) : Exception(message);

/// <summary>A Python argument error raised by a bridge function (<c>TypeError</c> or <c>ValueError</c>).</summary>
internal sealed class PythonArgumentException(string message, bool isValueError = false) : Exception(message)
{
    public bool IsValueError { get; } = isValueError;
}

/// <summary>A Python error is already set (by a C-API call on an argument): it is what Python sees.</summary>
internal sealed class PythonErrorException() : Exception("a Python error is set");
