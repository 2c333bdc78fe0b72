using PyHosting.Hosting.Diagnostics;
using PyHosting.Testing;

namespace PyHosting.Hosting.Tests.Integration;

/// <summary>A Managed runtime limited to 64 MiB of Python heap, with threads allowed.</summary>
public sealed class MemoryLimitedFixture() : PythonProcessFixture(new Dictionary<string, string?>
{
    ["PythonRuntime:MemoryLimit"] = MemoryLimitTests.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["PythonRuntime:Permissions:CreateThread"] = "true",
});

/// <summary>A Managed runtime without a memory limit: Python's allocators are not hooked, nothing is counted.</summary>
public sealed class MemoryUnlimitedFixture() : PythonProcessFixture(new Dictionary<string, string?> { ["PythonRuntime:MemoryLimit"] = "0" });

/// <summary>A Managed runtime with a limit far above what its tests allocate, so that Python's heap is counted.</summary>
public sealed class MemoryLargeLimitFixture() : PythonProcessFixture(new Dictionary<string, string?>
{
    ["PythonRuntime:MemoryLimit"] = MemoryUsageTests.LargeLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
});

/// <summary>
/// <c>PythonRuntime:MemoryLimit</c> in a real host process: Python's allocations past the limit are a
/// <c>MemoryError</c> inside the call, the host survives, and memory released can be allocated again.
/// </summary>
public sealed class MemoryLimitTests(MemoryLimitedFixture limited) : IClassFixture<MemoryLimitedFixture>
{
    public const long Limit = 64L * 1024 * 1024;

    // 120 MB in 10 MB steps: well past the limit, modest for a machine.
    private const string ModerateAllocation = "x = [bytearray(10**7) for _ in range(12)]\ndel x";

    [Fact]
    public async Task GrowingAllocation_IsMemoryError_TheHostSurvives_AndReleasedMemoryCanBeAllocatedAgain()
    {
        var python = limited.Process;

        var grown = await python.ExecAsync("grown = []\nwhile True:\n    grown.append(bytearray(10**7))");
        var held = (await python.EvalAsync("len(grown)")).GetResult<long>();
        (await python.ExecAsync("del grown")).EnsureOk();
        var again = await python.EvalAsync("len(bytearray(5 * 10**7))");

        Assert.Equal("MemoryError", grown.PythonType);
        Assert.InRange(held, 3, 6); // 64 MiB holds six 10 MB blocks at most, less what the interpreter uses
        Assert.Null(python.ExitCode);
        Assert.Equal(50_000_000L, again.GetResult<long>());
    }

    [Fact]
    public async Task OneAllocationOfTwiceTheLimit_IsMemoryError_AndTheNextCallWorks()
    {
        var python = limited.Process;

        var huge = await python.ExecAsync($"bytearray({2 * Limit})");
        var next = await python.EvalAsync("sum(range(10))");

        Assert.Equal("MemoryError", huge.PythonType);
        Assert.Equal(45L, next.GetResult<long>());
    }

    [Fact]
    public async Task ModerateAllocationPastTheLimit_IsMemoryError()
    {
        var response = await limited.Process.ExecAsync(ModerateAllocation);

        Assert.Equal("MemoryError", response.PythonType);
    }

    [Fact]
    public async Task AllocationInAPythonThread_IsMemoryErrorInThatThread()
    {
        // The allocator hook also runs on threads .NET did not create.
        (await limited.Process.ExecAsync($"""
            import threading
            thread_outcome = []
            def allocate():
                try:
                    bytearray({2 * Limit})
                    thread_outcome.append('allocated')
                except MemoryError:
                    thread_outcome.append('MemoryError')
            worker = threading.Thread(target=allocate)
            worker.start()
            worker.join()
            """)).EnsureOk();

        var outcome = await limited.Process.EvalAsync("thread_outcome");

        Assert.Equal(["MemoryError"], outcome.GetResult<string[]>()!);
    }

    [Fact]
    public async Task FirstRefusal_IsLoggedOnce_WithTheLimit()
    {
        var python = limited.Process;

        await python.ExecAsync($"bytearray({2 * Limit})");
        await python.ExecAsync($"bytearray({2 * Limit})");
        var entries = (await python.GetLogsAsync("PyHosting.Runtime")).Where(static e => e.EventId == 14).ToList();

        var entry = Assert.Single(entries);
        Assert.Equal("Warning", entry.Level);
        Assert.Contains($"PythonRuntime:MemoryLimit ({Limit} bytes) refused an allocation of", entry.Message, StringComparison.Ordinal);
    }
}

/// <summary>Without a limit: the allocation the limit refuses succeeds, and nothing is counted.</summary>
public sealed class MemoryUnlimitedTests(MemoryUnlimitedFixture unlimited) : IClassFixture<MemoryUnlimitedFixture>
{
    [Fact]
    public async Task ModerateAllocation_WithoutLimit_Succeeds()
    {
        var response = await unlimited.Process.ExecAsync("x = [bytearray(10**7) for _ in range(12)]\nn = len(x)\ndel x");

        Assert.True(response.Ok, response.Message);
        Assert.Equal(12L, (await unlimited.Process.EvalAsync("n")).GetResult<long>());
    }

    [Fact]
    public async Task UsageGauge_WithoutLimit_ReportsNoMeasurement()
    {
        var python = unlimited.Process;
        (await python.ExecAsync("big = bytearray(10**7)\ndel big")).EnsureOk();

        var response = (await python.SendAsync(new() { ["op"] = "gauge", ["name"] = PythonRuntimeMetrics.MemoryUsage })).EnsureOk();

        Assert.Null(response.Result);
    }
}

/// <summary>With a limit (here far above what is allocated): the usage gauge follows Python's heap.</summary>
public sealed class MemoryUsageTests(MemoryLargeLimitFixture limited) : IClassFixture<MemoryLargeLimitFixture>
{
    public const long LargeLimit = 8L * 1024 * 1024 * 1024;

    private const long FiftyMegabytes = 50L * 1024 * 1024;

    [Fact]
    public async Task UsageGauge_RisesWithABytearray_AndFallsAfterDel()
    {
        var python = limited.Process;

        var before = await UsageAsync(python);
        (await python.ExecAsync($"big = bytearray({FiftyMegabytes})")).EnsureOk();
        var during = await UsageAsync(python);
        (await python.ExecAsync("del big")).EnsureOk();
        var after = await UsageAsync(python);

        // Each call also allocates and frees a little of its own (compiled code, caches): within 1 MiB.
        Assert.InRange(during - before, FiftyMegabytes - (1 << 20), FiftyMegabytes + (1 << 20));
        Assert.InRange(during - after, FiftyMegabytes - (1 << 20), FiftyMegabytes + (1 << 20));
    }

    private static async Task<long> UsageAsync(PythonProcess python)
    {
        var response = (await python.SendAsync(new() { ["op"] = "gauge", ["name"] = PythonRuntimeMetrics.MemoryUsage })).EnsureOk();
        return (long)response.Result!;
    }
}
