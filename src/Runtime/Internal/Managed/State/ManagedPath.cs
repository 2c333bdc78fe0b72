using System.Text;

namespace PyHosting.Internal.Managed.State;

/// <summary>Lexical POSIX path handling for the emulated name space (no host path is ever produced here).</summary>
internal static class ManagedPath
{
    /// <summary>Resolves <paramref name="path"/> against <paramref name="cwd"/> and normalises it: absolute, no <c>.</c>/<c>..</c>, no duplicate or trailing slashes. <c>..</c> never goes above <c>/</c>.</summary>
    public static string Resolve(string cwd, string path)
    {
        if (path.Length == 0)
        {
            throw new Providers.PythonIOException(Providers.Errno.ENOENT, "No such file or directory");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("embedded null byte", isValueError: true);
        }

        // Already absolute and normalised (the common case): nothing to build.
        if (path[0] == '/' && Providers.PythonPath.IsNormalized(path))
        {
            return path;
        }

        var parts = new List<string>();
        if (path[0] != '/')
        {
            Split(cwd, parts);
        }

        Split(path, parts);
        if (parts.Count == 0)
        {
            return "/";
        }

        var sb = new StringBuilder(path.Length + cwd.Length);
        foreach (var part in parts)
        {
            sb.Append('/').Append(part);
        }

        return sb.ToString();
    }

    private static void Split(string path, List<string> parts)
    {
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(segment);
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or inside it (both normalised).</summary>
    public static bool IsUnder(string path, string root)
        => root == "/" || path == root || (path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal) && path[root.Length] == '/');

    public static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }
}
