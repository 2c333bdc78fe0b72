using Moq;
using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.Processes;

public sealed class AllowListPythonProcessProviderTests
{
    private static readonly string HostPath = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
    private readonly Mock<IPythonProcessProvider> _inner = new(MockBehavior.Strict);
    private readonly Mock<IPythonProcess> _process = new();
    private PythonProcessStartInfo? _forwarded;

    public AllowListPythonProcessProviderTests()
    {
        _inner.Setup(p => p.Start(It.IsAny<PythonProcessStartInfo>()))
            .Callback<PythonProcessStartInfo>(s => _forwarded = s)
            .Returns(_process.Object);
    }

    [Fact]
    public void Start_ProgramEqualToAnEntry_StartsTheResolvedExecutableThroughTheInnerProvider()
    {
        var provider = new AllowListPythonProcessProvider(_inner.Object, ["echo"]);
        var environment = new Dictionary<string, string> { ["PATH"] = HostPath, ["X"] = "1" };

        var process = provider.Start(new PythonProcessStartInfo(["echo", "hi"]) { Environment = environment, StandardError = PythonStdio.Null });

        Assert.Same(_process.Object, process);
        Assert.NotNull(_forwarded);
        Assert.True(Path.IsPathRooted(_forwarded.Program));
        Assert.Equal("echo", Path.GetFileName(_forwarded.Program));
        Assert.Equal("hi", _forwarded.Arguments[1]);
        Assert.Same(environment, _forwarded.Environment);
        Assert.Equal(PythonStdio.Null, _forwarded.StandardError);
    }

    [Fact]
    public void Start_NameResolvingToAListedFullPath_IsAllowed()
    {
        // /bin/echo and /usr/bin/echo are the same file where /bin links to /usr/bin.
        var provider = new AllowListPythonProcessProvider(_inner.Object, ["/bin/echo"]);

        provider.Start(new PythonProcessStartInfo(["echo"]) { Environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" } });

        _inner.Verify(p => p.Start(It.IsAny<PythonProcessStartInfo>()), Times.Once);
    }

    [Fact]
    public void Start_UnlistedProgram_ThrowsNamingTheKeyAndNeverCallsTheInnerProvider()
    {
        var provider = new AllowListPythonProcessProvider(_inner.Object, ["echo"]);

        var exception = Assert.Throws<UnauthorizedAccessException>(() => provider.Start(new PythonProcessStartInfo(["sh", "-c", "echo hi"])));

        Assert.Contains("PythonRuntime:Processes:AllowedExecutables", exception.Message, StringComparison.Ordinal);
        _inner.Verify(p => p.Start(It.IsAny<PythonProcessStartInfo>()), Times.Never);
    }

    [Fact]
    public void Start_ListedNameFoundElsewhereOnTheChildsPath_IsRefused()
    {
        using var directory = new TempDirectory();
        var impostor = directory.Combine("echo");
        File.WriteAllText(impostor, "#!/bin/sh\n");
        File.SetUnixFileMode(impostor, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var provider = new AllowListPythonProcessProvider(_inner.Object, ["echo"]);

        Assert.Throws<UnauthorizedAccessException>(() => provider.Start(new PythonProcessStartInfo(["echo"])
        {
            Environment = new Dictionary<string, string> { ["PATH"] = directory.Path },
        }));
        _inner.Verify(p => p.Start(It.IsAny<PythonProcessStartInfo>()), Times.Never);
    }

    [Fact]
    public void Start_ListedButMissingProgram_ThrowsFileNotFound()
    {
        var provider = new AllowListPythonProcessProvider(_inner.Object, ["no-such-program-anywhere"]);

        Assert.Throws<FileNotFoundException>(() => provider.Start(new PythonProcessStartInfo(["no-such-program-anywhere"])));
        _inner.Verify(p => p.Start(It.IsAny<PythonProcessStartInfo>()), Times.Never);
    }

    [Fact]
    public async Task Start_OverTheRealProvider_RunsAnAllowedProgram()
    {
        var provider = new AllowListPythonProcessProvider(new ProcessPythonProcessProvider(), ["/bin/echo"]);

        using var process = provider.Start(new PythonProcessStartInfo(["/bin/echo", "allowed"]));

        Assert.Equal("allowed\n", await new StreamReader(process.StandardOutput!).ReadToEndAsync());
        Assert.Throws<UnauthorizedAccessException>(() => provider.Start(new PythonProcessStartInfo(["cat"])));
    }

    [Fact]
    public void Constructor_EmptyEntry_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AllowListPythonProcessProvider(_inner.Object, ["echo", " "]));
    }
}
