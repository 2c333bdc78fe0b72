using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests;

/// <summary>
/// The hostile corpus (HOSTILE.md, one folder per family) against a Managed runtime with the default
/// permissions: each script is refused with the expected Python exception, which names the permission
/// key where one applies; the host process is unchanged; the next call on the same runtime works.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class HostileScriptTests(SandboxFixture fixture)
{
    public static TheoryData<string> Scripts => new(HostileScript.Names());

    [Theory]
    [MemberData(nameof(Scripts))]
    public Task HostileScript_IsRefused_AndLeavesTheHostUntouched(string script) => HostileScriptRunner.RunAsync(fixture, script);

    [Fact]
    public void Corpus_CoversEveryFamilyOfTheCatalogue()
    {
        var families = HostileScript.Names().Select(HostileScript.Load).GroupBy(s => s.Family).ToDictionary(g => g.Key, g => g.Count());

        // Families 2 and 11 need other permissions and run in TestHost processes (OutOfProcess/); family 21
        // needs a fake clock and a writable file system (PyHosting.Sandbox.ProviderFaults.Tests).
        Assert.All(Enumerable.Range(1, 23).Except([2, 11, 21]), f => Assert.True(families.ContainsKey(f), $"family {f} has no script"));
        Assert.True(families.Values.Sum() >= 60, $"the corpus has {families.Values.Sum()} scripts");
    }
}
