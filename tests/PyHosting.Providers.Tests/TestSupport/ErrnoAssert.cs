namespace PyHosting.Providers.Tests.TestSupport;

/// <summary>Asserts on the errno a provider's exception maps to, as the runtime maps it.</summary>
internal static class ErrnoAssert
{
    public static int ErrnoOf(Exception exception) => exception switch
    {
        PythonIOException p => p.ErrorNumber,
        FileNotFoundException or DirectoryNotFoundException => Errno.ENOENT,
        UnauthorizedAccessException => Errno.EACCES,
        _ => Errno.EIO,
    };

    public static Exception Throws(int expectedErrno, Action action)
    {
        var exception = Record.Exception(action);
        Assert.True(exception is not null, $"Expected errno {expectedErrno}, but nothing was thrown.");
        Assert.True(ErrnoOf(exception) == expectedErrno, $"Expected errno {expectedErrno}, got {ErrnoOf(exception)} from {exception}");
        return exception;
    }
}
