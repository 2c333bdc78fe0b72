namespace PyHosting.Samples.Tests;

/// <summary><c>--Worker:Script</c>: one host file, and the exit codes 0, 1 and 2.</summary>
public sealed class ScriptModeTests : IDisposable
{
    private readonly SampleDirectories _directories = new();

    [Fact]
    public async Task Script_Succeeds_ExitsZero_WithItsOutputInTheLog()
    {
        var script = _directories.WriteScript("hello.py", "import helper\nprint('hello from', __name__, 'and', helper.NAME)\n");
        _directories.WriteScript("helper.py", "NAME = 'a sibling module'\n");

        var run = await SampleProcess.RunAsync([$"--Worker:Script={script}", .. _directories.OutputMount]);

        Assert.True(run.ExitCode == 0, SampleDirectories.Describe(run));
        Assert.Contains("hello.py | hello from __main__ and a sibling module", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("hello.py: /app/hello.py completed", run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("sales-report", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_RaisesAPythonError_ExitsOne_WithTheTracebackInTheLog()
    {
        var script = _directories.WriteScript("broken.py", "def load():\n    raise ValueError('no such customer: 42')\n\nload()\n");

        var run = await SampleProcess.RunAsync([$"--Worker:Script={script}", .. _directories.OutputMount]);

        Assert.True(run.ExitCode == 1, SampleDirectories.Describe(run));
        Assert.Contains("broken.py: failed with ValueError: no such customer: 42", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("""broken.py !   File "/app/broken.py", line 2, in load""", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_DeniedOperation_ExitsOne_NamingThePermissionKey()
    {
        var script = _directories.WriteScript("spawn.py", "import subprocess\nsubprocess.run(['id'])\n");

        var run = await SampleProcess.RunAsync([$"--Worker:Script={script}", .. _directories.OutputMount]);

        Assert.True(run.ExitCode == 1, SampleDirectories.Describe(run));
        Assert.Contains("spawn.py: the sandbox denied an operation: [Errno 13] subprocess denied: PythonRuntime:Permissions:CreateProcess is false", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_FileDoesNotExist_ExitsTwo_WithTheValidationMessageOnStandardError()
    {
        var missing = Path.Combine(_directories.Scripts.FullName, "missing.py");

        var run = await SampleProcess.RunAsync([$"--Worker:Script={missing}", .. _directories.OutputMount]);

        Assert.True(run.ExitCode == 2, SampleDirectories.Describe(run));
        Assert.Contains($"Worker:Script '{missing}' was not found", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Python runtime started", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfiguration_ExitsTwo_ListingEveryProblemOnStandardError()
    {
        var run = await SampleProcess.RunAsync(["--PythonRuntime:Backend=Sandboxed", "--Worker:Jobs:0:Interval=00:00:00", .. _directories.OutputMount]);

        Assert.True(run.ExitCode == 2, SampleDirectories.Describe(run));
        Assert.Contains("PythonRuntime:Backend 'Sandboxed' is not a valid value", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("Worker:Jobs:0:Interval '00:00:00' must be positive", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("The application could not start because of its configuration:", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", run.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _directories.Dispose();
}
