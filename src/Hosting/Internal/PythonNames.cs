using System.Collections.Frozen;

namespace PyHosting.Hosting.Internal;

/// <summary>Checks Python module names.</summary>
internal static class PythonNames
{
    private static readonly FrozenSet<string> Keywords = FrozenSet.ToFrozenSet(
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
        "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ], StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether <paramref name="name"/> is a dotted module name, such as <c>numpy</c> or <c>numpy.linalg</c>.</summary>
    /// <param name="name">The name to check.</param>
    /// <returns><see langword="true"/> when every dot-separated part is an identifier that is not a keyword.</returns>
    public static bool IsDottedIdentifier(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var range in name.AsSpan().Split('.'))
        {
            var part = name.AsSpan()[range];
            if (part.IsEmpty || !IsIdentifierStart(part[0]) || Keywords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(part))
            {
                return false;
            }

            foreach (var c in part[1..])
            {
                if (!IsIdentifierStart(c) && !char.IsDigit(c))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);
}
