namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>
/// A script of the hostile corpus (<c>Scripts/NN-family/name.py</c>). Its header says what refusal
/// to expect:
/// <code>
/// # family: 4
/// # expect: OSError | io.UnsupportedOperation   (Python type names, or "timeout")
/// # key: PythonRuntime:Permissions:IO           (optional: the message must name it)
/// # errno: 9                                    (optional: the OSError's errno must be this)
/// # absent: root:                               (optional: neither the message nor the traceback may contain it)
/// </code>
/// Tokens in the body are replaced: <c>__HOST_ROOT__</c> (the host directory of the test), <c>__HOST_SECRET__</c>
/// (the secret file's host path) and <c>__HOST_OUTSIDE__</c> (a host directory no mount reaches).
/// </summary>
public sealed record HostileScript(string Name, int Family, IReadOnlyList<string> ExpectedTypes, string? PermissionKey, int? Errno, string? Absent, string Body)
{
    /// <summary>Gets the corpus's folder.</summary>
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Scripts");

    /// <summary>Gets every script of the corpus, by name relative to <see cref="Directory"/>.</summary>
    public static IEnumerable<string> Names() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.py", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    /// <summary>Loads a script by its name relative to the output directory's <c>Scripts</c> folder.</summary>
    public static HostileScript Load(string name)
    {
        var text = File.ReadAllText(Path.GetFullPath(Path.Combine(Directory, name)));
        var header = text.Split('\n')
            .TakeWhile(l => l.StartsWith('#'))
            .Select(l => l.TrimStart('#', ' ').Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
        return new HostileScript(
            name,
            int.Parse(header["family"], System.Globalization.CultureInfo.InvariantCulture),
            [.. header["expect"].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            header.GetValueOrDefault("key"),
            header.TryGetValue("errno", out var errno) ? int.Parse(errno, System.Globalization.CultureInfo.InvariantCulture) : null,
            header.GetValueOrDefault("absent"),
            text);
    }

    public bool ExpectsTimeout => ExpectedTypes.Contains("timeout");

    public string Source(SandboxFixture fixture) => Body
        .Replace("__HOST_ROOT__", fixture.Root, StringComparison.Ordinal)
        .Replace("__HOST_SECRET__", Path.Combine(fixture.Mount, "secret.txt"), StringComparison.Ordinal)
        .Replace("__HOST_OUTSIDE__", fixture.Outside, StringComparison.Ordinal);
}
