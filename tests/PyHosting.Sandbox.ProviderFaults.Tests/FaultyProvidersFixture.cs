using PyHosting.Testing.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Moq;
using PyHosting.Providers;

namespace PyHosting.Sandbox.ProviderFaults.Tests;

/// <summary>
/// One real host (<c>AddPythonRuntime</c>) with IO=All over three mounts: <c>/faulty</c>, a Moq'd file system
/// each test programs to fail; <c>/mem</c>, an in-memory file system with a small quota; <c>/clock</c>, an
/// in-memory file system on the same fake clock as Python, set to <see cref="Now"/>. No execution timeout:
/// the fake clock would never fire it; tests pass their own cancellation.
/// </summary>
public sealed class FaultyProvidersFixture : IAsyncLifetime
{
    public const long QuotaBytes = 256 * 1024;
    public static readonly DateTimeOffset Now = new(2000, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentQueue<string> _logs = new();
    private IHost? _host;

    public Mock<IPythonFileSystem> Faulty { get; } = new(MockBehavior.Loose);

    public FakeTimeProvider Clock { get; } = new(Now);

    public IPythonRuntime Runtime => _host?.Services.GetRequiredService<IPythonRuntime>() ?? throw new InvalidOperationException("The host has not started.");

    public IReadOnlyCollection<string> Logs => _logs;

    public async Task InitializeAsync()
    {
        var fileSystem = new MountTablePythonFileSystem(
            new PythonMount("/faulty", Faulty.Object),
            new PythonMount("/mem", new InMemoryPythonFileSystem(QuotaBytes)),
            new PythonMount("/clock", new InMemoryPythonFileSystem(timeProvider: Clock)));
        var builder = Host.CreateEmptyApplicationBuilder(settings: null);
        builder.Logging.AddProvider(new QueueLoggerProvider(_logs, LogLevel.Information));
        builder.Services.AddPythonRuntime(o =>
            {
                o.Permissions.IO = IOAccess.All;
                o.ExecutionTimeout = null;
            })
            .WithFileSystem(fileSystem)
            .WithTimeProvider(Clock);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    /// <summary>Runs code with a watchdog, so that a regression fails the test instead of hanging the run.</summary>
    public async Task ExecuteAsync(string code)
    {
        using var watchdog = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Runtime.ExecuteAsync(code, watchdog.Token);
    }

    /// <summary>Evaluates with a watchdog.</summary>
    public async Task<T?> EvaluateAsync<T>(string expression)
    {
        using var watchdog = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await Runtime.EvaluateAsync<T>(expression, watchdog.Token);
    }
}

[CollectionDefinition(Name)]
public sealed class FaultyProvidersCollection : ICollectionFixture<FaultyProvidersFixture>
{
    public const string Name = "Managed runtime over failing providers";
}
