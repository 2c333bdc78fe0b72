namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// With the default permissions, the runtime's own start-up and the standard library's imports log no denial:
/// a denial is a signal that code asked for something, and says what.
/// </summary>
public sealed class QuietStartTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    [Fact]
    public async Task StartUp_LogsNoDenial()
    {
        (await fixture.Python.EvalAsync("1")).EnsureOk();

        var denials = (await fixture.Python.GetLogsAsync()).Where(l => l.Message.StartsWith("Denied", StringComparison.Ordinal)).ToList();

        Assert.True(denials.Count == 0, string.Join("\n", denials.Select(d => d.Message)));
    }

    [Theory]
    [InlineData("uuid")]
    [InlineData("platform")]
    [InlineData("tempfile")]
    [InlineData("logging.handlers")]
    [InlineData("email.utils")]
    [InlineData("zoneinfo")]
    [InlineData("inspect")]
    [InlineData("sqlite3")]
    public async Task ImportingAStandardModule_LogsNoDenial(string module)
    {
        var before = (await fixture.Python.GetLogsAsync()).Count;

        await fixture.Python.ExecAsync($"import {module}");

        var denials = (await fixture.Python.GetLogsAsync()).Skip(before).Where(l => l.Message.StartsWith("Denied", StringComparison.Ordinal)).ToList();
        Assert.True(denials.Count == 0, string.Join("\n", denials.Select(d => d.Message)));
    }
}
