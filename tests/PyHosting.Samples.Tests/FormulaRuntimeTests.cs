namespace PyHosting.Samples.Tests;

/// <summary>
/// The sample's untrusted runtime (<c>PythonRuntime:Runtimes:formulas</c>: IO=None, in worker processes) with user
/// formulas added on the command line, as a user would add them to <c>Worker:Jobs</c>.
/// </summary>
public sealed class FormulaRuntimeTests
{
    [Fact]
    public async Task AFormulaThatOpensAFile_IsRefused_NamingTheFormulasRuntimesKey_AndTheOtherJobsStillRun()
    {
        using var directories = new SampleDirectories();
        var run = await SampleProcess.RunAsync(
        [
            "--Worker:RunOnce=true",
            "--Worker:Jobs:5:Name=file-formula",
            "--Worker:Jobs:5:Formula=open('/app/data/sales.csv').read()",
            "--Worker:Jobs:6:Name=process-formula",
            "--Worker:Jobs:6:Formula=__import__('subprocess').run(['true'])",
            .. directories.OutputMount,
        ]);

        // Two jobs failed (refused): exit code 1; the shipped jobs ran on both runtimes all the same.
        Assert.True(run.ExitCode == 1, SampleDirectories.Describe(run));
        Assert.Contains("Ran 7 job(s) once, 2 failed", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("file-formula: the sandbox denied an operation: [Errno 13] reading '/app/data/sales.csv' denied: PythonRuntime:Runtimes:formulas:Permissions:IO is None", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("process-formula: the sandbox denied an operation: [Errno 13] subprocess denied: PythonRuntime:Runtimes:formulas:Permissions:CreateProcess is false", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("discount-formula: formula round(price * quantity * (1 - discount), 2) returned 331.25", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("sales-report | wrote /out/sales-report.json", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFormulaNamingAnUnknownRuntime_FailsAtStart_NamingTheKey()
    {
        using var directories = new SampleDirectories();
        var run = await SampleProcess.RunAsync(
        [
            "--Worker:RunOnce=true",
            "--Worker:Jobs:5:Name=lost",
            "--Worker:Jobs:5:Formula=1 + 1",
            "--Worker:Jobs:5:Runtime=reports",
            .. directories.OutputMount,
        ]);

        Assert.True(run.ExitCode == 2, SampleDirectories.Describe(run));
        Assert.Contains("Worker:Jobs:5:Runtime 'reports' ('lost') is not a registered runtime", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
    }
}
