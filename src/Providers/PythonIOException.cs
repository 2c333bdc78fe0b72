namespace PyHosting.Providers;

/// <summary>
/// An I/O error with an explicit POSIX <c>errno</c>, for providers that need to report a
/// precise error to Python (<c>EEXIST</c>, <c>ENOTEMPTY</c>, <c>EXDEV</c>, <c>EROFS</c>, ...).
/// </summary>
public class PythonIOException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="PythonIOException"/> class.</summary>
    public PythonIOException()
        : this(Errno.EIO, "I/O error")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonIOException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PythonIOException(string message)
        : this(Errno.EIO, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonIOException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PythonIOException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorNumber = Errno.EIO;
    }

    /// <summary>Initializes a new instance of the <see cref="PythonIOException"/> class.</summary>
    /// <param name="errorNumber">The POSIX error number (see <see cref="Errno"/>).</param>
    /// <param name="message">The message; Python shows it as the <c>strerror</c>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PythonIOException(int errorNumber, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorNumber = errorNumber;
    }

    /// <summary>Gets the POSIX error number.</summary>
    public int ErrorNumber { get; }
}
