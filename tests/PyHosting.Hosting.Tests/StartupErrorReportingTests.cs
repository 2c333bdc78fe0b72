using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyHosting.Testing.Diagnostics;

namespace PyHosting.Hosting.Tests;

/// <summary>
/// <see cref="PythonRuntimeStartupErrors.TryReport"/> and <c>RunPythonHostAsync</c>: configuration problems become a list
/// and exit code 2; anything else propagates. The hosts here fail before Python starts.
/// </summary>
public sealed class StartupErrorReportingTests
{
    [Fact]
    public void TryReport_ValidationAndRuntimeStartFailures_WritesEachProblemOnItsOwnLine()
    {
        var exception = new AggregateException(
            new OptionsValidationException("PythonRuntime", typeof(PythonRuntimeOptions), ["first problem", "second problem"]),
            new PythonStartupException($"third problem{Environment.NewLine}fourth problem"));
        using var writer = new StringWriter();

        var reported = PythonRuntimeStartupErrors.TryReport(exception, writer);

        Assert.True(reported);
        Assert.Equal(
            ["The application could not start because of its configuration:", "  first problem", "  second problem", "  third problem", "  fourth problem"],
            writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TryReport_AnyOtherException_WritesNothing()
    {
        var exception = new AggregateException(
            new OptionsValidationException("PythonRuntime", typeof(PythonRuntimeOptions), ["a problem"]),
            new InvalidOperationException("a bug"));
        using var writer = new StringWriter();

        Assert.False(PythonRuntimeStartupErrors.TryReport(exception, writer));
        Assert.False(PythonRuntimeStartupErrors.TryReport(new IOException("disk"), writer));
        Assert.Empty(writer.ToString());
    }

    [Fact]
    public void TryReport_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => PythonRuntimeStartupErrors.TryReport(null!, TextWriter.Null));
        Assert.Throws<ArgumentNullException>(() => PythonRuntimeStartupErrors.TryReport(new InvalidOperationException(), null!));
    }

    [Fact]
    public async Task RunPythonHostAsync_InvalidConfiguration_ListsEveryProblemOfEveryOptions_ReturnsTwo_WithoutTheHostLoggingAStackTrace()
    {
        var logs = new ConcurrentQueue<string>();
        var builder = TestHosts.Builder(new Dictionary<string, string?>
        {
            ["PythonRuntime:Permissions:IO"] = "Bogus",
            ["PythonRuntime:Timeout"] = "5",
        });
        builder.Logging.AddProvider(new QueueLoggerProvider(logs));
        builder.Services.AddPythonRuntime();
        builder.Services.AddOptions<AppOptions>().Validate(static o => o.Name.Length > 0, "App:Name is empty; set a name.").ValidateOnStart();
        using var host = builder.Build();
        using var error = new StringWriter();

        var exitCode = await host.RunPythonHostAsync(error);

        Assert.Equal(PythonRuntimeStartupErrors.ExitCode, exitCode);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("The application could not start because of its configuration:", lines[0]);
        Assert.Contains("  PythonRuntime:Permissions:IO 'Bogus' is not a valid value; use one of: None, ReadOnly, All.", lines);
        Assert.Contains(lines, static l => l.StartsWith("  PythonRuntime:Timeout is not a known key", StringComparison.Ordinal));
        Assert.Contains("  App:Name is empty; set a name.", lines);
        Assert.DoesNotContain(logs, static l => l.Contains("Hosting failed to start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunPythonHostAsync_AFaultThatIsNotConfiguration_Propagates()
    {
        var builder = TestHosts.Builder();
        builder.Services.AddHostedService<FailingService>();
        using var host = builder.Build();
        using var error = new StringWriter();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => host.RunPythonHostAsync(error));

        Assert.Equal("a bug in the application", thrown.Message);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task RunPythonHostAsync_ValidHost_ReturnsZeroWhenItShutsDown()
    {
        var builder = TestHosts.Builder();
        builder.Services.AddHostedService<StoppingService>();
        using var host = builder.Build();

        Assert.Equal(0, await host.RunPythonHostAsync(TextWriter.Null));
    }

    private sealed class AppOptions
    {
        public string Name { get; set; } = string.Empty;
    }

    private sealed class FailingService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("a bug in the application");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StoppingService(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        }
    }
}
