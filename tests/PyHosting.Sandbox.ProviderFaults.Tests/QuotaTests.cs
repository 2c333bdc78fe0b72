namespace PyHosting.Sandbox.ProviderFaults.Tests;

/// <summary>The in-memory quota ends what would otherwise fill the host's memory (HOSTILE.md family 23).</summary>
[Collection(FaultyProvidersCollection.Name)]
public sealed class QuotaTests(FaultyProvidersFixture fixture)
{
    [Theory]
    [InlineData("with open('/mem/blob', 'wb') as f:\n    created.append('/mem/blob')\n    while True:\n        f.write(b'x' * 65536)")]
    [InlineData("path = '/mem'\nwhile True:\n    path += '/' + 'd' * 200\n    os.mkdir(path)\n    created.append(path)")]
    [InlineData("import itertools\nfor i in itertools.count():\n    open('/mem/f%08d' % i, 'w').close()\n    created.append('/mem/f%08d' % i)")]
    public async Task Growth_EndsAtTheQuotaWithEnospc_AndTheSpaceComesBack(string code)
    {
        await fixture.ExecuteAsync("import os\ncreated = []");
        try
        {
            var error = await Assert.ThrowsAsync<PythonScriptException>(() => fixture.ExecuteAsync(code));

            Assert.StartsWith("[Errno 28]", error.PythonMessage, StringComparison.Ordinal);
        }
        finally
        {
            // Bottom-up and without recursion: a deep tree is deeper than the recursion limit.
            await fixture.ExecuteAsync("for p in reversed(created):\n    (os.rmdir if os.path.isdir(p) else os.remove)(p)");
        }

        await fixture.ExecuteAsync("with open('/mem/after', 'wb') as f:\n    f.write(b'x' * 1024)\nos.remove('/mem/after')");
        Assert.Empty(await fixture.EvaluateAsync<string[]>("os.listdir('/mem')") ?? []);
    }
}
