namespace PyHosting.Providers.Internal.Processes;

/// <summary>Finds the executable that a program name or path denotes, as <c>execvp</c> and Python's <c>subprocess</c> do.</summary>
internal static class ExecutableResolver
{
    /// <summary>The search path when the environment has no <c>PATH</c> (Python's <c>os.defpath</c>).</summary>
    public const string DefaultSearchPath = "/bin:/usr/bin";

    private const int MaxLinkDepth = 40;

    /// <summary>Resolves <paramref name="program"/> to a full host path.</summary>
    /// <param name="program">A name looked up on <paramref name="searchPath"/>, or a path (containing a separator).</param>
    /// <param name="searchPath">The <c>PATH</c> value, or <see langword="null"/> for <see cref="DefaultSearchPath"/>.</param>
    /// <param name="workingDirectory">The directory relative paths start from, or <see langword="null"/> for the current one.</param>
    /// <returns>The full path of an existing file, or <see langword="null"/>.</returns>
    public static string? Resolve(string program, string? searchPath, string? workingDirectory)
    {
        if (string.IsNullOrEmpty(program))
        {
            return null;
        }

        var baseDirectory = workingDirectory ?? Environment.CurrentDirectory;
        if (program.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && program.Contains('\\', StringComparison.Ordinal)))
        {
            var full = Path.GetFullPath(program, baseDirectory);
            return File.Exists(full) ? full : null;
        }

        foreach (var directory in (searchPath ?? DefaultSearchPath).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in CandidateNames(program))
            {
                var candidate = Path.GetFullPath(Path.Join(directory, name), baseDirectory);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Canonicalises the directory part of a full path (resolving links in it) but not the file
    /// name, so that <c>/bin/echo</c> and <c>/usr/bin/echo</c> compare equal on a merged-usr
    /// system while two names of one multi-call binary (<c>sh</c> and <c>rm</c> as links to busybox) stay distinct.
    /// </summary>
    public static string CanonicalizeDirectory(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath);
        return directory is null || OperatingSystem.IsWindows()
            ? fullPath
            : Path.Join(RealDirectory(directory, 0), Path.GetFileName(fullPath));
    }

    private static IEnumerable<string> CandidateNames(string program)
    {
        yield return program;
        if (OperatingSystem.IsWindows() && !Path.HasExtension(program))
        {
            yield return program + ".exe";
        }
    }

    private static bool IsExecutable(string path)
        => OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static string RealDirectory(string directory, int depth)
    {
        var current = Path.GetPathRoot(directory) ?? "/";
        foreach (var segment in directory[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(current, segment);
            var target = new DirectoryInfo(candidate).LinkTarget;
            current = target is null || depth >= MaxLinkDepth
                ? candidate
                : RealDirectory(Path.GetFullPath(target, current), depth + 1);
        }

        return current;
    }
}
