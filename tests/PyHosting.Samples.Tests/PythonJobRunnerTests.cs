using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PyHosting.Samples.WorkerService;

namespace PyHosting.Samples.Tests;

/// <summary>How a job's output, result and failures reach the log.</summary>
public sealed class PythonJobRunnerTests : IDisposable
{
    private readonly FakePython _python = new();
    private readonly TestLogger<PythonJobRunner> _logger = new();
    private readonly PythonJobRunner _runner;

    public PythonJobRunnerTests() => _runner = new PythonJobRunner(_python.Object, new FakeTimeProvider(), _logger);

    [Fact]
    public async Task Function_PassesTheConfiguredArguments_AndLogsTheResultAsJson()
    {
        var job = new PythonJobOptions { Name = "stats", Module = "stats", Function = "summarize" };
        job.Arguments.Add(new List<object?> { 1L, 2L });
        job.Arguments.Add("label");
        _python.OnInvoke = static (_, _, _, _) => Task.FromResult<object?>(new Dictionary<string, object?> { ["mean"] = 1.5, ["outliers"] = new List<object?>() });

        Assert.True(await _runner.RunAsync(job, CancellationToken.None));

        Assert.Equal([new List<object?> { 1L, 2L }, "label"], _python.LastArguments!);
        var returned = Assert.Single(_logger.Entries, static e => e.EventId == 6);
        Assert.Equal("""stats: stats.summarize returned {"mean":1.5,"outliers":[]} in 0 ms""", returned.Message);
    }

    [Fact]
    public async Task Script_PythonOutput_IsLoggedLineByLineUnderTheJobsName()
    {
        _python.OnRunFile = (_, _) =>
        {
            _python.Stdout!.Write("first line\nsecond ");
            _python.Stdout.Write("line\nno newline");
            _python.Stdout.Flush();
            _python.Stderr!.Write("a warning\n");
            return Task.CompletedTask;
        };

        Assert.True(await _runner.RunAsync(new PythonJobOptions { Name = "report", Script = "/app/report.py" }, CancellationToken.None));

        Assert.Equal(["report | first line", "report | second line", "report | no newline"], _logger.Entries.Where(static e => e.EventId == 3).Select(static e => e.Message));
        var warning = Assert.Single(_logger.Entries, static e => e.EventId == 4);
        Assert.Equal((LogLevel.Warning, "report ! a warning"), (warning.Level, warning.Message));
    }

    [Fact]
    public async Task PermissionError_ReportsTheDenialWithThePermissionKey_AndFails()
    {
        const string message = "[Errno 13] subprocess denied: PythonRuntime:Permissions:CreateProcess is false";
        _python.OnRunFile = static (_, _) => Task.FromException(new PythonScriptException("PermissionError", message, "Traceback ..."));

        Assert.False(await _runner.RunAsync(new PythonJobOptions { Name = "probe", Script = "/app/probe.py" }, CancellationToken.None));

        var denied = Assert.Single(_logger.Entries, static e => e.EventId == 7);
        Assert.Equal(LogLevel.Warning, denied.Level);
        Assert.Equal("probe: the sandbox denied an operation: " + message, denied.Message);
    }

    [Fact]
    public async Task PythonError_LogsTheTracebackAsErrorOutput_AndFails()
    {
        _python.OnRunFile = static (_, _) => Task.FromException(new PythonScriptException("KeyError", "'region'", "Traceback (most recent call last):\n  File \"/app/r.py\", line 3\nKeyError: 'region'\n"));

        Assert.False(await _runner.RunAsync(new PythonJobOptions { Name = "r", Script = "/app/r.py" }, CancellationToken.None));

        Assert.Contains(_logger.Entries, static e => e.EventId == 4 && e.Message == "r !   File \"/app/r.py\", line 3");
        var failed = Assert.Single(_logger.Entries, static e => e.EventId == 8);
        Assert.Equal((LogLevel.Error, "r: failed with KeyError: 'region'"), (failed.Level, failed.Message));
    }

    [Fact]
    public async Task Timeout_IsReportedAndFails()
    {
        _python.OnRunFile = static (_, _) => Task.FromException(new TimeoutException("ran longer than PythonRuntime:ExecutionTimeout"));

        Assert.False(await _runner.RunAsync(new PythonJobOptions { Name = "slow", Script = "/app/slow.py" }, CancellationToken.None));

        Assert.Contains(_logger.Entries, static e => e.EventId == 9 && e.Message.Contains("ExecutionTimeout", StringComparison.Ordinal));
    }

    public void Dispose() => _runner.Dispose();
}
