namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// <c>time.pthread_getcpuclockid</c> hands its integer to the C library as a thread handle, which glibc dereferences:
/// in CPython any value but a live thread's handle crashes the process. In its own TestHost, since a regression kills it.
/// </summary>
public sealed class ThreadHandleTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    [Theory]
    [InlineData("1")]
    [InlineData("0xdeadbeef")]
    [InlineData("threading.get_native_id()")]
    [InlineData("threading.get_ident() + 4096")]
    [InlineData("threading.get_ident() - 4096")]
    [InlineData("(1 << 47) - 4096")]
    [InlineData("random.getrandbits(47)")]
    public async Task PthreadGetCpuClockId_OfAnythingButTheCallingThread_IsProcessLookupError_AndTheHostLives(string threadId)
    {
        var response = await fixture.Python.ExecAsync($"import random, threading, time\ntime.pthread_getcpuclockid({threadId})");

        Assert.Equal("ProcessLookupError", response.PythonType);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task PthreadGetCpuClockId_OfTheCallingThread_ReadsItsCpuClock()
    {
        var response = await fixture.Python.EvalAsync("__import__('time').clock_gettime(__import__('time').pthread_getcpuclockid(__import__('threading').get_ident())) >= 0");

        Assert.True(response.GetResult<bool>());
    }
}
