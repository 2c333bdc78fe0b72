namespace PyHosting.Providers;

/// <summary>One entry of a directory listing.</summary>
/// <param name="Name">The entry's name (no slash).</param>
/// <param name="Kind">The entry's kind without following links (as <c>d_type</c>).</param>
public readonly record struct PythonDirectoryEntry(string Name, PythonFileKind Kind);
