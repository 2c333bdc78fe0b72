using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Compatibility;

/// <summary>zoneinfo under the strictest permissions: the host's time-zone database is readable at its own path, nothing else is.</summary>
[Collection(SandboxCollection.Name)]
public sealed class TimeZoneTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("Europe/Paris", "2024-07-01", "2:00:00")]
    [InlineData("Europe/Paris", "2024-01-01", "1:00:00")]
    [InlineData("America/New_York", "2024-01-01", "-1 day, 19:00:00")]
    [InlineData("UTC", "2024-01-01", "0:00:00")]
    public async Task ZoneInfo_ReadsTheHostsDatabase_WithoutIO(string key, string date, string offset)
    {
        var actual = await fixture.Runtime.EvaluateAsync<string>(
            $"str(__import__('datetime').datetime.fromisoformat('{date}T12:00').replace(tzinfo=__import__('zoneinfo').ZoneInfo('{key}')).utcoffset())");

        Assert.Equal(offset, actual);
    }

    [Fact]
    public async Task AvailableTimeZones_ListsTheDatabase()
    {
        var count = await fixture.Runtime.EvaluateAsync<long>("len(__import__('zoneinfo').available_timezones())");

        Assert.True(count > 300, $"only {count} time zones were listed");
    }
}
