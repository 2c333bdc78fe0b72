using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Hosting.Tests.Diagnostics;

public sealed class PythonRuntimeHealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly Mock<IPythonRuntime> _runtime = new();

    [Fact]
    public async Task CheckHealth_InterpreterAnswers_Healthy()
    {
        _runtime.Setup(static r => r.EvaluateAsync<long>("1 + 1", It.IsAny<CancellationToken>())).ReturnsAsync(2);

        var result = await CreateCheck().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("answered", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_InterpreterDoesNotAnswerWithinASecond_ReportsTheFailureStatus()
    {
        _runtime.Setup(static r => r.EvaluateAsync<long>(It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(new TaskCompletionSource<long>().Task);

        var pending = CreateCheck().CheckHealthAsync(Context());
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("did not answer within 1 s", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_ProbeStillWaitingForTheInterpreter_NextCheckJoinsItInsteadOfStartingAnother()
    {
        var answer = new TaskCompletionSource<long>();
        _runtime.Setup(static r => r.EvaluateAsync<long>(It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(answer.Task);
        var check = CreateCheck();
        var first = check.CheckHealthAsync(Context());
        _time.Advance(Timeout);
        Assert.Equal(HealthStatus.Unhealthy, (await first.WaitAsync(TimeSpan.FromSeconds(10))).Status);

        var second = check.CheckHealthAsync(Context());
        answer.SetResult(2);
        var result = await second.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        _runtime.Verify(static r => r.EvaluateAsync<long>(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task CheckHealth_PythonError_ReportsTheRegisteredFailureStatusWithTheError()
    {
        var error = new PythonScriptException("MemoryError", "out of memory", string.Empty);
        _runtime.Setup(static r => r.EvaluateAsync<long>(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(error);

        var result = await CreateCheck().CheckHealthAsync(Context(HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Same(error, result.Exception);
    }

    [Fact]
    public async Task HealthCheckService_HostNotStarted_ReportsPythonRuntimeUnhealthy_NotRunning()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPythonRuntime().AddHealthCheck();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries[PythonRuntimeHealthCheckBuilderExtensions.DefaultName];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("not running", entry.Description, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public void AddHealthCheck_RegistersTheCheckUnderItsNameWithFailureStatusAndTags()
    {
        var services = new ServiceCollection();

        services.AddPythonRuntime().AddHealthCheck(failureStatus: HealthStatus.Degraded, tags: ["ready"]);

        using var provider = services.BuildServiceProvider();
        var registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal("PythonRuntime", registration.Name);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
        Assert.Equal(["ready"], registration.Tags);
        Assert.IsType<PythonRuntimeHealthCheck>(registration.Factory(provider));
    }

    [Fact]
    public void AddHealthCheck_NullBuilder_Throws() =>
        Assert.Throws<ArgumentNullException>(() => PythonRuntimeHealthCheckBuilderExtensions.AddHealthCheck(null!));

    private static HealthCheckContext Context(HealthStatus failureStatus = HealthStatus.Unhealthy) => new()
    {
        Registration = new HealthCheckRegistration("PythonRuntime", Mock.Of<IHealthCheck>(), failureStatus, tags: null),
    };

    private PythonRuntimeHealthCheck CreateCheck() => new(_runtime.Object, _time, Timeout, NullLogger.Instance);
}
