using System.Diagnostics;
using System.Text;
using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.Processes;

public sealed class ProcessPythonProcessProviderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ProcessPythonProcessProvider _provider = new();

    [Fact]
    public async Task Start_Echo_WritesArgumentsToStandardOutput()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["/bin/echo", "hello", "two words", "$HOME", "*"]));

        var output = await ReadAllAsync(process.StandardOutput!);

        Assert.Equal("hello two words $HOME *\n", output);
        Assert.Equal(0, await process.WaitForExitAsync().WaitAsync(Timeout));
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Start_CatWithPipedStandardInput_EchoesIt()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["cat"]));

        await process.StandardInput!.WriteAsync(Encoding.UTF8.GetBytes("line one\nline two\n"));
        process.StandardInput.Dispose();
        var output = await ReadAllAsync(process.StandardOutput!);

        Assert.Equal("line one\nline two\n", output);
        Assert.Equal(0, await process.WaitForExitAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Start_ShellExitingWithThree_ReportsExitCodeThree()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "exit 3"]));

        Assert.Equal(3, await process.WaitForExitAsync().WaitAsync(Timeout));
        Assert.Equal(3, process.ExitCode);
    }

    [Theory]
    [InlineData("TERM", -15)]
    [InlineData("INT", -2)]
    [InlineData("ABRT", -6)]
    public async Task Start_ShellEndedBySignal_ReportsMinusTheSignalNumber(string signal, int expected)
    {
        // The shell resets the signal to its default and sends it to itself: .NET alone would report 128 + n.
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", $"sleep 0.2; trap - {signal}; kill -{signal} $$; sleep 5"]));

        Assert.Equal(expected, await process.WaitForExitAsync().WaitAsync(Timeout));
        Assert.Equal(expected, process.ExitCode);
    }

    [Fact]
    public async Task Start_ShellExitingWith130_Reports130()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "sleep 0.2; exit 130"]));

        Assert.Equal(130, await process.WaitForExitAsync().WaitAsync(Timeout));
        Assert.Equal(130, process.ExitCode);
    }

    [Fact]
    public async Task Kill_RunningSleep_EndsItWithMinusNine()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sleep", "30"]));
        Assert.Null(process.ExitCode);

        process.Kill();

        var started = Stopwatch.StartNew();
        Assert.Equal(-9, await process.WaitForExitAsync().WaitAsync(Timeout));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Kill_ShellWithBackgroundChild_KillsTheWholeTree()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "sleep 30 & echo $!; wait"]));
        var line = await new StreamReader(process.StandardOutput!).ReadLineAsync().WaitAsync(Timeout);
        var childId = int.Parse(line!, System.Globalization.CultureInfo.InvariantCulture);

        process.Kill();
        await process.WaitForExitAsync().WaitAsync(Timeout);

        Assert.True(await HasEndedAsync(childId), $"the grandchild {childId} still runs");
    }

    [Fact]
    public async Task Dispose_RunningProcess_KillsIt()
    {
        var process = _provider.Start(new PythonProcessStartInfo(["sleep", "30"]));
        var id = process.Id;

        process.Dispose();

        Assert.True(await HasEndedAsync(id), $"process {id} still runs after Dispose");
    }

    [Fact]
    public async Task Start_Environment_IsExactlyTheGivenOne()
    {
        var environment = new Dictionary<string, string> { ["ONLY_THIS"] = "value with spaces" };
        using var process = _provider.Start(new PythonProcessStartInfo(["env"]) { Environment = environment });

        var output = await ReadAllAsync(process.StandardOutput!);

        Assert.Equal("ONLY_THIS=value with spaces\n", output);
    }

    [Fact]
    public async Task Start_WorkingDirectory_IsUsedByTheChild()
    {
        using var directory = new TempDirectory();
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "pwd"]) { WorkingDirectory = directory.Path });

        var output = await ReadAllAsync(process.StandardOutput!);

        Assert.Equal(Path.GetFileName(directory.Path), Path.GetFileName(output.TrimEnd('\n')));
    }

    [Fact]
    public async Task Start_NullStreams_GivesNoStreamsAndTheChildRunsToTheEnd()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "echo out; echo err >&2; cat; exit 5"])
        {
            StandardInput = PythonStdio.Null,
            StandardOutput = PythonStdio.Null,
            StandardError = PythonStdio.Null,
        });

        Assert.Null(process.StandardInput);
        Assert.Null(process.StandardOutput);
        Assert.Null(process.StandardError);
        Assert.Equal(5, await process.WaitForExitAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Start_StandardErrorPipe_IsSeparateFromStandardOutput()
    {
        using var process = _provider.Start(new PythonProcessStartInfo(["sh", "-c", "echo out; echo err >&2"]) { StandardInput = PythonStdio.Null });

        var output = ReadAllAsync(process.StandardOutput!);
        var error = ReadAllAsync(process.StandardError!);

        Assert.Equal("out\n", await output);
        Assert.Equal("err\n", await error);
    }

    [Fact]
    public void Start_MissingExecutable_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => _provider.Start(new PythonProcessStartInfo(["definitely-not-a-program-here"])));
        Assert.Throws<FileNotFoundException>(() => _provider.Start(new PythonProcessStartInfo(["/no/such/program"])));
    }

    [Fact]
    public void Start_MissingWorkingDirectory_ThrowsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => _provider.Start(new PythonProcessStartInfo(["/bin/echo"]) { WorkingDirectory = "/no/such/directory" }));
    }

    [Fact]
    public void DenyAll_Start_ThrowsNamingThePermissionKey()
    {
        var provider = new DenyAllPythonProcessProvider();

        var exception = Assert.Throws<UnauthorizedAccessException>(() => provider.Start(new PythonProcessStartInfo(["/bin/echo"])));

        Assert.Contains("PythonRuntime:Permissions:CreateProcess", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().WaitAsync(Timeout);
    }

    private static async Task<bool> HasEndedAsync(int processId)
    {
        for (var i = 0; i < 100; i++)
        {
            // A killed child of a killed shell is reaped by init; until then it is a zombie ('Z').
            var status = Path.Combine("/proc", processId.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat");
            try
            {
                if (File.ReadAllText(status).Split(' ')[2] == "Z")
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
