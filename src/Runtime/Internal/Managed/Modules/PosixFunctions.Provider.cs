using PyHosting.Providers;
using PyHosting.Providers.Internal;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// How the posix layer reads provider exceptions. Stock providers put the path they were given into
/// their messages (<c>File exists: '/d1'</c>): that is the path inside a mount, not the one Python code
/// used, so <see cref="ManagedErrors.Map"/> cuts such a message back to <c>strerror</c> (Python adds its
/// own file names); a provider's own wording (no <c>strerror</c> prefix) is kept.
/// </summary>
internal static class ProviderCalls
{
    /// <summary>Whether a provider exception reads <c>strerror: details</c> (the stock providers' form).</summary>
    public static bool IsStock(PythonIOException e)
    {
        var standard = FileSystemErrors.Describe(e.ErrorNumber);
        return e.Message.Length > standard.Length && e.Message.StartsWith(standard, StringComparison.Ordinal);
    }

    /// <summary>Whether an exception says that an entry does not exist.</summary>
    public static bool IsNotFound(Exception e) => e is FileNotFoundException or DirectoryNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT };
}
