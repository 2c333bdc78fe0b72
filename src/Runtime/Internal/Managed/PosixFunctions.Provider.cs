using PyHosting.Providers;
using PyHosting.Providers.Internal;

namespace PyHosting.Internal.Managed;

/// <summary>
/// The file-system provider calls of the posix layer. Stock providers put the path they were given
/// into their messages (<c>File exists: '/d1'</c>): that is the path inside a mount, not the one
/// Python code used. Python reports <c>strerror</c> and its own file names, so such a message is cut
/// back to <c>strerror</c>; a provider's own wording (no <c>strerror</c> prefix) is kept.
/// </summary>
internal static class ProviderCalls
{
    public static PythonFileStatus? GetStatus(IPythonFileSystem fs, string path, bool follow)
    {
        try
        {
            return fs.GetStatus(path, follow);
        }
        catch (PythonIOException e) when (IsStock(e))
        {
            throw Normalized(e);
        }
    }

    public static Stream Open(IPythonFileSystem fs, string path, PythonOpenFlags flags, int mode)
    {
        try
        {
            return fs.Open(path, flags, mode);
        }
        catch (PythonIOException e) when (IsStock(e))
        {
            throw Normalized(e);
        }
    }

    public static IReadOnlyList<PythonDirectoryEntry> ReadDirectory(IPythonFileSystem fs, string path)
    {
        try
        {
            return fs.ReadDirectory(path);
        }
        catch (PythonIOException e) when (IsStock(e))
        {
            throw Normalized(e);
        }
    }

    public static string ReadSymbolicLink(IPythonFileSystem fs, string path)
    {
        try
        {
            return fs.ReadSymbolicLink(path);
        }
        catch (PythonIOException e) when (IsStock(e))
        {
            throw Normalized(e);
        }
    }

    /// <summary>Runs a provider operation that returns nothing.</summary>
    public static void Run<TState>(IPythonFileSystem fs, string path, TState state, Action<IPythonFileSystem, string, TState> operation)
    {
        try
        {
            operation(fs, path, state);
        }
        catch (PythonIOException e) when (IsStock(e))
        {
            throw Normalized(e);
        }
    }

    /// <summary>Whether a provider exception reads <c>strerror: details</c> (the stock providers' form).</summary>
    public static bool IsStock(PythonIOException e)
    {
        var standard = FileSystemErrors.Describe(e.ErrorNumber);
        return e.Message.Length > standard.Length && e.Message.StartsWith(standard, StringComparison.Ordinal);
    }

    public static PythonIOException Normalized(PythonIOException e) => new(e.ErrorNumber, FileSystemErrors.Describe(e.ErrorNumber), e);

    /// <summary>Whether an exception says that an entry does not exist.</summary>
    public static bool IsNotFound(Exception e) => e is FileNotFoundException or DirectoryNotFoundException or PythonIOException { ErrorNumber: Errno.ENOENT };
}
