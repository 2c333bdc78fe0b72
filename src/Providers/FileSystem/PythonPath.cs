using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PyHosting.Providers;

/// <summary>
/// Helpers for the absolute, normalised POSIX paths that <see cref="IPythonFileSystem"/> receives:
/// validation, normalisation, splitting and combining.
/// </summary>
/// <remarks>
/// A normalised path starts with <c>/</c>, uses <c>/</c> as its only separator, has no empty,
/// <c>.</c> or <c>..</c> segment, no trailing slash (except the root <c>/</c> itself) and no NUL character.
/// </remarks>
public static class PythonPath
{
    /// <summary>The root path, <c>/</c>.</summary>
    public const string Root = "/";

    /// <summary>Gets a value indicating whether <paramref name="path"/> is an absolute, normalised path.</summary>
    /// <param name="path">The path to check.</param>
    /// <returns><see langword="true"/> when the path is absolute and normalised.</returns>
    public static bool IsNormalized([NotNullWhen(true)] string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return false;
        }

        if (path.Length == 1)
        {
            return true;
        }

        // One pass: every segment starts after a slash, is not empty, and is neither "." nor "..".
        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            var c = i < path.Length ? path[i] : '/';
            if (c == '\0')
            {
                return false;
            }

            if (c != '/')
            {
                continue;
            }

            var length = i - segmentStart;
            if (length == 0 || (path[segmentStart] == '.' && (length == 1 || (length == 2 && path[segmentStart + 1] == '.'))))
            {
                return false;
            }

            segmentStart = i + 1;
        }

        return true;
    }

    /// <summary>Throws when <paramref name="path"/> is not an absolute, normalised path.</summary>
    /// <param name="path">The path to check.</param>
    /// <param name="parameterName">The name of the parameter, for the exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not absolute and normalised.</exception>
    public static void Validate([NotNull] string? path, [CallerArgumentExpression(nameof(path))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(path, parameterName);
        if (!IsNormalized(path))
        {
            throw new ArgumentException($"'{path}' is not an absolute, normalised POSIX path.", parameterName);
        }
    }

    /// <summary>
    /// Normalises an absolute POSIX path lexically: collapses repeated slashes, removes <c>.</c>
    /// segments and resolves <c>..</c> against the previous segment (<c>..</c> at the root stays at the root).
    /// </summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The normalised path.</returns>
    /// <remarks>Lexical normalisation ignores symbolic links: <c>/a/link/..</c> becomes <c>/a</c>.</remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not absolute or contains a NUL character.</exception>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] != '/' || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not an absolute POSIX path.", nameof(path));
        }

        if (IsNormalized(path))
        {
            return path;
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return Root + string.Join('/', segments);
    }

    /// <summary>Gets the parent of a normalised path.</summary>
    /// <param name="path">A normalised path.</param>
    /// <returns>The parent path, or <see langword="null"/> for the root.</returns>
    public static string? GetParent(string path)
    {
        Validate(path);
        if (path.Length == 1)
        {
            return null;
        }

        var slash = path.LastIndexOf('/');
        return slash == 0 ? Root : path[..slash];
    }

    /// <summary>Gets the last segment of a normalised path.</summary>
    /// <param name="path">A normalised path.</param>
    /// <returns>The name, or an empty string for the root.</returns>
    public static string GetName(string path)
    {
        Validate(path);
        return path[(path.LastIndexOf('/') + 1)..];
    }

    /// <summary>Splits a normalised path into its segments (none for the root).</summary>
    /// <param name="path">A normalised path.</param>
    /// <returns>The segments, in order.</returns>
    public static string[] GetSegments(string path)
    {
        Validate(path);
        return path.Length == 1 ? [] : path[1..].Split('/');
    }

    /// <summary>Combines a normalised directory path with a single entry name.</summary>
    /// <param name="directory">A normalised directory path.</param>
    /// <param name="name">An entry name: not empty, no slash, not <c>.</c> or <c>..</c>.</param>
    /// <returns>The combined, normalised path.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid entry name.</exception>
    public static string Combine(string directory, string name)
    {
        Validate(directory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a valid entry name.", nameof(name));
        }

        return directory.Length == 1 ? "/" + name : directory + "/" + name;
    }

    /// <summary>Gets a value indicating whether <paramref name="ancestor"/> is <paramref name="path"/> or one of its ancestors.</summary>
    /// <param name="ancestor">A normalised path.</param>
    /// <param name="path">A normalised path.</param>
    /// <returns><see langword="true"/> when <paramref name="path"/> is <paramref name="ancestor"/> or lies beneath it.</returns>
    public static bool IsSameOrAncestor(string ancestor, string path)
    {
        Validate(ancestor);
        Validate(path);
        return IsSameOrAncestorOfNormalized(ancestor, path);
    }

    /// <summary>As <see cref="IsSameOrAncestor"/>, for paths the caller has already validated.</summary>
    internal static bool IsSameOrAncestorOfNormalized(string ancestor, string path)
        => ancestor.Length == 1
            || (path.StartsWith(ancestor, StringComparison.Ordinal) && (path.Length == ancestor.Length || path[ancestor.Length] == '/'));

    /// <summary>As <see cref="GetRelative"/>, for validated paths where <paramref name="ancestor"/> is known to be <paramref name="path"/> or an ancestor of it.</summary>
    internal static string GetRelativeOfNormalized(string ancestor, string path)
        => ancestor.Length == 1 ? path : path.Length == ancestor.Length ? Root : path[ancestor.Length..];

    /// <summary>Re-roots <paramref name="path"/> at <paramref name="ancestor"/>: <c>GetRelative("/mnt", "/mnt/a/b")</c> is <c>/a/b</c>.</summary>
    /// <param name="ancestor">A normalised path that is <paramref name="path"/> or one of its ancestors.</param>
    /// <param name="path">A normalised path.</param>
    /// <returns>The path below <paramref name="ancestor"/>, as an absolute path.</returns>
    /// <exception cref="ArgumentException"><paramref name="ancestor"/> is not an ancestor of <paramref name="path"/>.</exception>
    public static string GetRelative(string ancestor, string path)
    {
        if (!IsSameOrAncestor(ancestor, path))
        {
            throw new ArgumentException($"'{path}' is not beneath '{ancestor}'.", nameof(path));
        }

        if (ancestor.Length == 1)
        {
            return path;
        }

        return path.Length == ancestor.Length ? Root : path[ancestor.Length..];
    }
}
