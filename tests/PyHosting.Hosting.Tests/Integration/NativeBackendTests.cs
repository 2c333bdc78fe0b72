
namespace PyHosting.Hosting.Tests.Integration;

/// <summary>The common behaviour, and what is specific to the Native backend.</summary>
public sealed class NativeBackendTests(NativeFixture fixture) : PythonRuntimeBehaviourTests(fixture), IClassFixture<NativeFixture>
{
    [Fact]
    public async Task OsFork_IsNotImplementedError()
    {
        var response = await Python.ExecAsync("import os\nos.fork()");

        Assert.Equal("NotImplementedError", response.PythonType);
        Assert.Contains("fork is not supported", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubprocessWithPreexecFn_IsValueError()
    {
        var response = await Python.ExecAsync("import subprocess\nsubprocess.run(['true'], preexec_fn=lambda: None)");

        Assert.Equal("ValueError", response.PythonType);
        Assert.Contains("preexec_fn", response.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subprocess_WithoutPreexecFn_Runs()
    {
        var output = await Python.EvalAsync("__import__('subprocess').run(['echo', 'native'], capture_output=True, check=True).stdout.decode()");

        Assert.Equal("native\n", output.GetResult<string>());
    }

    [Fact]
    public async Task RunFile_RunsAHostScriptAsMain_WithSideEffectsVisibleFromDotNet()
    {
        var directory = Directory.CreateTempSubdirectory("pyhosting-runfile-").FullName;
        try
        {
            var script = Path.Combine(directory, "script.py");
            var output = Path.Combine(directory, "out.txt");
            await File.WriteAllTextAsync(script, $"import sys\nwith open({PythonString(output)}, 'w') as f:\n    f.write(__name__ + ':' + str(6 * 7))\n");

            (await Python.RunFileAsync(script)).EnsureOk();

            Assert.Equal("__main__:42", await File.ReadAllTextAsync(output));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunFile_MissingScript_IsPythonScriptException()
    {
        var response = await Python.RunFileAsync("/nonexistent/pyhosting/script.py");

        Assert.Equal("PythonScriptException", response.Type);
        Assert.Equal("FileNotFoundError", response.PythonType);
    }

    private static string PythonString(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
