using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using PyHosting.Samples.WorkerService;

namespace PyHosting.Samples.Tests;

/// <summary>The worker's schedule and exit codes, with a fake clock and no Python.</summary>
public sealed class WorkerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakePython _python = new();
    private readonly Mock<IHostApplicationLifetime> _lifetime = new();
    private readonly WorkerResult _result = new();
    private readonly WorkerOptions _options = new();
    private readonly PythonJobRunner _runner;

    public WorkerTests() => _runner = new PythonJobRunner(_python.Object, _time, new TestLogger<PythonJobRunner>());

    [Fact]
    public async Task Schedule_RunsEachJobAtStart_ThenEveryInterval_OnTheTimeProvider()
    {
        _options.Jobs.Add(new PythonJobOptions { Name = "report", Script = "/app/report.py", Interval = TimeSpan.FromSeconds(30) });
        _options.Jobs.Add(new PythonJobOptions { Name = "stats", Module = "stats", Function = "summarize", Interval = TimeSpan.FromSeconds(60) });
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await Eventually(() => _python.Calls("/app/report.py") == 1 && _python.Calls("stats.summarize") == 1);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Eventually(() => _python.Calls("/app/report.py") == 2);
        Assert.Equal(1, _python.Calls("stats.summarize"));
        _time.Advance(TimeSpan.FromSeconds(30));
        await Eventually(() => _python.Calls("/app/report.py") == 3 && _python.Calls("stats.summarize") == 2);
        await worker.StopAsync(CancellationToken.None);

        _lifetime.Verify(static l => l.StopApplication(), Times.Never);
        Assert.Equal(ExitCodes.Success, _result.ExitCode);
    }

    [Fact]
    public async Task Schedule_AFailingJob_KeepsItsSchedule()
    {
        _options.Jobs.Add(new PythonJobOptions { Name = "flaky", Script = "/app/flaky.py", Interval = TimeSpan.FromSeconds(10) });
        _python.OnRunFile = static (_, _) => Task.FromException(new PythonScriptException("OSError", "disk on fire", string.Empty));
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await Eventually(() => _python.Calls("/app/flaky.py") == 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        await Eventually(() => _python.Calls("/app/flaky.py") == 2);
        await worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task RunOnce_EveryJobRunsInOrder_OneFails_ExitCodeOneAndTheHostStops()
    {
        _options.RunOnce = true;
        _options.Jobs.Add(new PythonJobOptions { Name = "a", Script = "/app/a.py" });
        _options.Jobs.Add(new PythonJobOptions { Name = "b", Module = "m", Function = "f" });
        _options.Jobs.Add(new PythonJobOptions { Name = "c", Script = "/app/c.py" });
        _python.OnInvoke = static (_, _, _, _) => Task.FromException<object?>(new PythonScriptException("ZeroDivisionError", "division by zero", string.Empty));
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await worker.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["/app/a.py", "m.f", "/app/c.py"], _python.AllCalls);
        Assert.Equal(ExitCodes.JobFailed, _result.ExitCode);
        _lifetime.Verify(static l => l.StopApplication(), Times.Once);
    }

    [Fact]
    public async Task RunOnce_EveryJobSucceeds_ExitCodeZero()
    {
        _options.RunOnce = true;
        _options.Jobs.Add(new PythonJobOptions { Name = "a", Script = "/app/a.py" });
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await worker.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.Success, _result.ExitCode);
        _lifetime.Verify(static l => l.StopApplication(), Times.Once);
    }

    [Fact]
    public async Task Script_RunsTheFileFromTheAppMount()
    {
        _options.Script = Path.Combine("some", "where", "hello.py");
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await worker.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["/app/hello.py"], _python.AllCalls);
        Assert.Equal(ExitCodes.Success, _result.ExitCode);
    }

    [Fact]
    public async Task RunOnce_HostStopsWhileAJobRuns_TheCallIsCancelled_ExitCode130()
    {
        _options.RunOnce = true;
        _options.Jobs.Add(new PythonJobOptions { Name = "long", Script = "/app/long.py" });
        var cancelled = new TaskCompletionSource();
        _python.OnRunFile = async (_, token) =>
        {
            await using var registration = token.Register(cancelled.SetResult);
            await Task.Delay(Timeout.Infinite, token);
        };
        using var worker = CreateWorker();

        await worker.StartAsync(CancellationToken.None);
        await Eventually(() => _python.Calls("/app/long.py") == 1);
        await worker.StopAsync(CancellationToken.None);

        Assert.True(cancelled.Task.IsCompleted);
        Assert.Equal(ExitCodes.Interrupted, _result.ExitCode);
    }

    public void Dispose() => _runner.Dispose();

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met within 10 s.");
            await Task.Delay(10);
        }
    }

    private WorkerService.Worker CreateWorker() =>
        new(_runner, Options.Create(_options), _lifetime.Object, _result, _time, new TestLogger<WorkerService.Worker>());
}
