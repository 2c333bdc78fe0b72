using Microsoft.Extensions.Options;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// Worker pools (<c>Isolation:MinWorkers</c>, <c>MaxWorkers</c>, <c>MaxQueuedCalls</c>, <c>Preload</c>): concurrent calls
/// spread over workers, calls made one after another stay on one worker, a bounded queue refuses cleanly, a crash loses
/// no other call, and stopping the host stops every worker.
/// </summary>
public sealed class WorkerPoolTests
{
    private const string Busy = "import os, time\nend = time.monotonic() + 0.4\nwhile time.monotonic() < end:\n    pass\n";

    [Fact]
    public async Task ConcurrentCalls_RunInSeveralWorkers_WhileSequentialCallsStayOnOne()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:MinWorkers"] = "2",
            ["PythonRuntime:Isolation:MaxWorkers"] = "2",
        });
        Assert.Equal(2, host.ProcessRuntime.Workers.Count);

        var sequential = new HashSet<int>();
        for (var i = 0; i < 5; i++)
        {
            sequential.Add(await host.Runtime.EvaluateAsync<int>("__import__('os').getpid()"));
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            host.Runtime.EvaluateAsync<int>("(lambda: (exec(" + PythonLiteral(Busy) + "), __import__('os').getpid())[1])()")));

        Assert.Single(sequential);
        Assert.Equal(2, concurrent.Distinct().Count());
    }

    [Fact]
    public async Task AFullQueue_RefusesTheCall_NamingTheKey_AndTheOthersComplete()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:MaxWorkers"] = "1",
            ["PythonRuntime:Isolation:MaxQueuedCalls"] = "1",
        });

        var running = host.Runtime.ExecuteAsync("import time\ntime.sleep(1.5)");
        await Task.Delay(300);
        var queued = host.Runtime.EvaluateAsync<int>("2");
        await Task.Delay(100);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Runtime.EvaluateAsync<int>("3"));
        Assert.Contains("PythonRuntime:Isolation:MaxQueuedCalls", refused.Message, StringComparison.Ordinal);
        await running;
        Assert.Equal(2, await queued);
        Assert.Equal(4, await host.Runtime.EvaluateAsync<int>("4"));
    }

    [Fact]
    public async Task AWorkerCrashingUnderLoad_FailsOnlyItsOwnCall_AndEveryOtherCallGetsItsOwnAnswer()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?>(IsolatedHost.Native)
        {
            ["PythonRuntime:Isolation:MinWorkers"] = "2",
            ["PythonRuntime:Isolation:MaxWorkers"] = "2",
        });

        var calls = Enumerable.Range(0, 24).Select(i => i == 7
            ? host.Runtime.ExecuteAsync("import time, os\ntime.sleep(0.1)\nos.abort()").ContinueWith(static t => t.Exception?.InnerException is PythonWorkerCrashedException ? -1 : -2, TaskScheduler.Default)
            : host.Runtime.EvaluateAsync<int>($"(__import__('time').sleep(0.05), {i})[1]")).ToList();
        var answers = await Task.WhenAll(calls);

        Assert.Equal(-1, answers[7]);
        Assert.Equal(Enumerable.Range(0, 24).Where(static i => i != 7), answers.Where((_, i) => i != 7));
        Assert.Equal(5, await host.Runtime.EvaluateAsync<int>("5"));
    }

    [Fact]
    public async Task Preload_ImportsTheModulesInEveryWorkerBeforeItsFirstCall()
    {
        await using var host = await IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:MinWorkers"] = "1",
            ["PythonRuntime:Isolation:Preload:0"] = "json",
            ["PythonRuntime:Isolation:Preload:1"] = "decimal",
        });

        Assert.True(await host.Runtime.EvaluateAsync<bool>("'json' in __import__('sys').modules and 'decimal' in __import__('sys').modules"));
    }

    [Fact]
    public async Task APreloadThatFailsToImport_FailsTheStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<PythonStartupException>(() => IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:Preload:0"] = "no_such_module_here",
        }));

        Assert.Contains("PythonRuntime:Isolation:Preload", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_module_here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingTheHost_StopsEveryWorkerOfThePool()
    {
        var host = await IsolatedHost.StartAsync(new Dictionary<string, string?>
        {
            ["PythonRuntime:Isolation:MinWorkers"] = "3",
            ["PythonRuntime:Isolation:MaxWorkers"] = "3",
        });
        var workers = host.ProcessRuntime.Workers.Select(static w => w.ProcessId).ToList();
        Assert.Equal(3, workers.Count);

        await host.DisposeAsync();

        Assert.All(workers, static pid => Assert.False(ProcessTree.OutlivesKill(pid), $"worker {pid} outlived the host"));
    }

    [Theory]
    [InlineData("PythonRuntime:Isolation:MaxWorkers", "0", "PythonRuntime:Isolation:MaxWorkers '0' is out of range")]
    [InlineData("PythonRuntime:Isolation:MaxWorkers", "65", "PythonRuntime:Isolation:MaxWorkers '65' is out of range")]
    [InlineData("PythonRuntime:Isolation:MinWorkers", "3", "PythonRuntime:Isolation:MinWorkers '3' is out of range; use a number from 0 to PythonRuntime:Isolation:MaxWorkers (1).")]
    [InlineData("PythonRuntime:Isolation:MaxQueuedCalls", "-1", "PythonRuntime:Isolation:MaxQueuedCalls '-1' must not be negative")]
    [InlineData("PythonRuntime:Isolation:Preload:0", "not a module", "PythonRuntime:Isolation:Preload:0 'not a module' is not a Python module name")]
    public async Task InvalidPoolSettings_FailTheStart_NamingKeyAndValue(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => IsolatedHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    private static string PythonLiteral(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";
}
