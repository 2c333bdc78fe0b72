namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>Checks, after a script, that the host process is as it was and the runtime still serves.</summary>
internal static class HostGuard
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>Names the types of the .NET embedding that Python can reach through <c>__subclasses__()</c> (none).</summary>
    private const string EmbeddingTypes = """
        (lambda walk: ' '.join(sorted({t.__module__ + '.' + t.__qualname__ for t in walk(object)
            if str(t.__module__).lower().split('.')[0] in ('clr', 'system', 'microsoft', 'python')})))(
            lambda root: (lambda seen, todo: [[(seen.add(s), todo.append(s)) for s in (type.__subclasses__(t) if issubclass(t, type) else t.__subclasses__()) if s not in seen]
                for t in iter(lambda: todo.pop() if todo else None, None)] and seen)(set(), [root]))
        """;

    public static HostState Before(SandboxFixture fixture) => HostState.Capture(fixture.WatchedDirectories);

    public static async Task AssertUntouchedAsync(SandboxFixture fixture, HostState before)
    {
        // Transient .NET threads (the pool, tiered compilation) come and go: retry briefly before failing.
        IReadOnlyList<string> differences = [];
        var deadline = DateTime.UtcNow + Settle;
        do
        {
            differences = HostState.Capture(fixture.WatchedDirectories).DifferencesFrom(before);
            if (differences.Count == 0)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(differences.Count == 0, "The script changed the host:\n" + string.Join("\n", differences));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "pyhosting-pwned*"));
        fixture.AssertHostDescriptorUsable();
        Assert.Equal(2L, await fixture.Runtime.EvaluateAsync<long>("1 + 1"));
        Assert.Equal(0L, await fixture.Runtime.EvaluateAsync<long>("__import__('_thread')._count()"));
        Assert.Equal(string.Empty, await fixture.Runtime.EvaluateAsync<string>(EmbeddingTypes));
    }
}
