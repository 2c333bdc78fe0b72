using PyHosting.Packaging.Tests;

namespace PyHosting.Readme.Tests;

/// <summary>Builds the READMEs' C# once, in a project outside the repository, for all the tests of the class.</summary>
public sealed class SnippetsBuild : IAsyncLifetime
{
    internal string Repository { get; } = RepositoryRoot();

    internal IReadOnlyList<ReadmeSnippets.Snippet> Snippets { get; private set; } = [];

    internal string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pyhosting-readme-").FullName;

    internal (int ExitCode, string Output) Build { get; private set; }

    public async Task InitializeAsync()
    {
        Snippets = ReadmeSnippets.Read(Repository);
        ReadmeSnippets.WriteProject(Directory, Repository, Snippets);

        // The libraries were built for this test run: only the snippets' project is compiled.
        Build = await DotNetCli.RunAsync(Directory, "build", "-c", Configuration, "-p:BuildProjectReferences=false", "-nologo", "-v:q", "-clp:NoSummary");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    internal static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PyHosting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (PyHosting.sln) was not found above the test's output directory.");
    }
}

public sealed class ReadmeSnippetsTests(SnippetsBuild build) : IClassFixture<SnippetsBuild>
{
    public static TheoryData<string> RunnableSnippets()
    {
        var data = new TheoryData<string>();
        foreach (var snippet in ReadmeSnippets.Read(FindRepository()).Where(static s => s.Run is not null))
        {
            data.Add(snippet.ToString());
        }

        return data;
    }

    [Fact]
    public void EveryCSharpBlock_OfTheReadmes_Compiles()
    {
        Assert.Contains(build.Snippets, static s => s.File == "README.md");
        Assert.Contains(build.Snippets, static s => s.File.StartsWith("src", StringComparison.Ordinal));
        Assert.True(build.Build.ExitCode == 0, $"The READMEs' C# does not compile (errors name the README and its line):\n{build.Build.Output}");
    }

    [Fact]
    public void EveryReadmeWithCSharp_ShowsTheUsingsItsBlocksNeed()
    {
        Assert.All(build.Snippets, static s => Assert.NotEmpty(s.Usings));
    }

    [Theory]
    [MemberData(nameof(RunnableSnippets))]
    public async Task SnippetThatClaimsAResult_ProducesIt(string location)
    {
        Assert.True(build.Build.ExitCode == 0, build.Build.Output);
        var snippet = build.Snippets.Single(s => s.ToString() == location);
        var claim = snippet.Claim ?? throw new InvalidOperationException($"{location} runs but claims no result (var x = ...; // value).");
        var assembly = Path.Combine(build.Directory, "bin", SnippetsBuild.Configuration, "net10.0", "ReadmeSnippets.dll");

        var run = await DotNetCli.RunAsync(build.Directory, [assembly, snippet.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), .. snippet.RunArguments]);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"RESULT {claim.Value}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SplitsStatementsFromDeclarations_AndFindsContextVariablesAndClaims()
    {
        string[] markdown =
        [
            "```csharp",
            "using PyHosting;",
            "```",
            "<!-- snippet: run --A=1 --B=2 -->",
            "```csharp",
            "var builder = Host.CreateApplicationBuilder(args);",
            "var answer = await runtime.EvaluateAsync<int>(\"6 * 7\"); // 42",
            "",
            "public sealed class Worker;",
            "```",
        ];

        var snippet = Assert.Single(ReadmeSnippets.Parse("README.md", markdown));

        Assert.Equal(6, snippet.Line);
        Assert.Equal(["using PyHosting;"], snippet.Usings);
        Assert.Equal(["args", "runtime"], snippet.Parameters);
        Assert.Equal(3, snippet.DeclarationsStart);
        Assert.Equal(("answer", "42"), snippet.Claim);
        Assert.Equal(["--A=1", "--B=2"], snippet.RunArguments);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PyHosting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PyHosting.sln was not found.");
    }
}
