namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>Runs one hostile script and checks the refusal and the host.</summary>
internal static class HostileScriptRunner
{
    public static async Task RunAsync(SandboxFixture fixture, string script)
    {
        var hostile = HostileScript.Load(script);
        var before = HostGuard.Before(fixture);
        using var watchdog = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var error = await Record.ExceptionAsync(() => fixture.Runtime.ExecuteAsync(hostile.Source(fixture), watchdog.Token));

        if (hostile.ExpectsTimeout)
        {
            Assert.IsType<TimeoutException>(error);
        }
        else
        {
            var python = Assert.IsType<PythonScriptException>(error);
            Assert.True(
                hostile.ExpectedTypes.Any(t => IsType(python.PythonType, t)),
                $"expected {string.Join(" or ", hostile.ExpectedTypes)}, got {python.PythonType}: {python.PythonMessage}\n{python.PythonTraceback}");
            if (hostile.PermissionKey is not null)
            {
                Assert.Contains(hostile.PermissionKey, python.PythonMessage, StringComparison.Ordinal);
            }

            if (hostile.Absent is { } absent)
            {
                Assert.DoesNotContain(absent, python.PythonMessage + python.PythonTraceback, StringComparison.Ordinal);
            }

            if (hostile.Errno is { } errno)
            {
                Assert.StartsWith($"[Errno {errno}]", python.PythonMessage, StringComparison.Ordinal);
            }
        }

        await HostGuard.AssertUntouchedAsync(fixture, before);
    }

    /// <summary>
    /// Python type names as the runtime reports them. <c>io.UnsupportedOperation</c> is matched by its
    /// name alone: a fresh <c>_io</c> currently makes a new class that the managed layer raises from then on
    /// (see <c>KnownHoleTests.ReimportingIo_KeepsTheUnsupportedOperationClass</c>).
    /// </summary>
    private static bool IsType(string actual, string expected) =>
        actual == expected || (expected == "io.UnsupportedOperation" && actual.EndsWith(".UnsupportedOperation", StringComparison.Ordinal));
}
