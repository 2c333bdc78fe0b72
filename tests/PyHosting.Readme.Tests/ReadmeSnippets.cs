using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PyHosting.Readme.Tests;

/// <summary>
/// The C# blocks of the READMEs, and the project that compiles them. The conventions, which README.md states:
/// <list type="bullet">
/// <item><description>A block made only of <c>using</c> directives (and comments) gives the namespaces of every other block of
/// the same README; the project has implicit usings, as a new project does.</description></item>
/// <item><description>Other blocks are statements followed by type declarations, either part optional. The statements run in an
/// async method; the variables <c>args</c>, <c>builder</c>, <c>host</c>, <c>runtime</c> and <c>services</c>, when a block
/// uses one without declaring it, are its parameters (a <see cref="string"/> array, a <c>HostApplicationBuilder</c>, an
/// <c>IHost</c>, an <c>IPythonRuntime</c>, an <c>IServiceCollection</c>). Each block has a namespace of its own.</description></item>
/// <item><description>A block preceded by <c>&lt;!-- snippet: run ARGUMENTS --&gt;</c> is also run, with <c>ARGUMENTS</c> as the
/// command line of its host (and of the host given to it as <c>runtime</c>); its last <c>var x = ...; // value</c> line
/// claims the result, which must be <c>value</c> as JSON.</description></item>
/// </list>
/// </summary>
internal static partial class ReadmeSnippets
{
    private static readonly string[] ContextVariables = ["args", "builder", "host", "runtime", "services"];

    private static readonly Dictionary<string, string> ContextTypes = new(StringComparer.Ordinal)
    {
        ["args"] = "string[]",
        ["builder"] = "Microsoft.Extensions.Hosting.HostApplicationBuilder",
        ["host"] = "Microsoft.Extensions.Hosting.IHost",
        ["runtime"] = "PyHosting.IPythonRuntime",
        ["services"] = "Microsoft.Extensions.DependencyInjection.IServiceCollection",
    };

    /// <summary>Reads the C# blocks of <c>README.md</c> and <c>src/*/README.md</c> under <paramref name="repository"/>.</summary>
    public static IReadOnlyList<Snippet> Read(string repository)
    {
        var files = new[] { Path.Combine(repository, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(repository, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var snippets = new List<Snippet>();
        foreach (var file in files)
        {
            snippets.AddRange(Parse(Path.GetRelativePath(repository, file), File.ReadAllLines(file), snippets.Count));
        }

        return snippets;
    }

    /// <summary>Parses the C# blocks of one markdown file.</summary>
    public static IReadOnlyList<Snippet> Parse(string file, string[] lines, int firstId = 0)
    {
        var blocks = new List<(int Line, string[] Code, string? Run)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            var marker = i > 0 ? RunMarker().Match(lines[i - 1].Trim()) : Match.Empty;
            blocks.Add((start + 1, lines[start..end], marker.Success ? marker.Groups[1].Value.Trim() : null));
            i = end;
        }

        var usings = blocks.Where(static b => IsUsingsOnly(b.Code)).SelectMany(static b => b.Code).Where(static l => l.TrimStart().StartsWith("using ", StringComparison.Ordinal)).ToList();
        return [.. blocks.Where(static b => !IsUsingsOnly(b.Code)).Select((b, n) => new Snippet(firstId + n, file, b.Line, b.Code, usings, b.Run))];
    }

    /// <summary>Writes the snippets' project: one file per snippet and a program that runs those marked to run.</summary>
    public static void WriteProject(string directory, string repository, IReadOnlyList<Snippet> snippets)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ReadmeSnippets.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(repository, "src", "Hosting", "PyHosting.Hosting.csproj")}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        foreach (var snippet in snippets)
        {
            File.WriteAllText(Path.Combine(directory, $"Snippet{snippet.Id}.cs"), snippet.ToSource(repository));
        }

        File.WriteAllText(Path.Combine(directory, "Program.cs"), ProgramSource(snippets));
    }

    private static string ProgramSource(IReadOnlyList<Snippet> snippets)
    {
        var cases = new StringBuilder();
        foreach (var snippet in snippets.Where(static s => s.Run is not null))
        {
            var parameters = snippet.Parameters;
            if (parameters.Except(["args", "runtime"]).Any())
            {
                throw new InvalidOperationException($"{snippet}: a snippet that runs may use only args and runtime undeclared.");
            }

            var call = $"global::ReadmeSnippets.S{snippet.Id}.Snippet.RunAsync({string.Join(", ", parameters.Select(static p => p == "args" ? "rest" : "runtime"))})";
            cases.AppendLine(parameters.Contains("runtime")
                ? $"    \"{snippet.Id}\" => await WithRuntime(rest, runtime => {call}),"
                : $"    \"{snippet.Id}\" => await {call},");
        }

        return $$"""
            #pragma warning disable
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            var rest = args[1..];
            object? result = args[0] switch
            {
            {{cases}}    _ => throw new ArgumentException("No runnable snippet " + args[0]),
            };
            Console.WriteLine("RESULT " + System.Text.Json.JsonSerializer.Serialize(result));
            return 0;

            static async Task<object?> WithRuntime(string[] args, Func<PyHosting.IPythonRuntime, Task<object?>> run)
            {
                var builder = Host.CreateApplicationBuilder(args);
                builder.Services.AddPythonRuntime();
                using var host = builder.Build();
                await host.StartAsync();
                try
                {
                    return await run(host.Services.GetRequiredService<PyHosting.IPythonRuntime>());
                }
                finally
                {
                    await host.StopAsync();
                }
            }
            """;
    }

    private static bool IsUsingsOnly(string[] code) =>
        code.Any(static l => l.TrimStart().StartsWith("using ", StringComparison.Ordinal))
        && code.All(static l => string.IsNullOrWhiteSpace(l) || l.TrimStart().StartsWith("//", StringComparison.Ordinal) || (l.TrimStart().StartsWith("using ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';')));

    [GeneratedRegex(@"^<!--\s*snippet:\s*run(.*?)-->$")]
    private static partial Regex RunMarker();

    [GeneratedRegex(@"^(public|internal|sealed|static|abstract|partial|file|record|class|interface|enum|struct|\[|///)")]
    private static partial Regex DeclarationStart();

    [GeneratedRegex(@"\b(?:var|using var)\s+(\w+)\s*=")]
    private static partial Regex LocalDeclaration();

    [GeneratedRegex(@"^\s*var\s+(\w+)\s*=.*;\s*//\s*(\S+)")]
    private static partial Regex ClaimedResult();

    /// <summary>One C# block.</summary>
    /// <param name="Id">Its number among all the blocks read.</param>
    /// <param name="File">The markdown file, relative to the repository.</param>
    /// <param name="Line">The line of its first line of code, from 1.</param>
    /// <param name="Code">Its lines.</param>
    /// <param name="Usings">The using directives of its README.</param>
    /// <param name="Run">The command line it runs with, or <see langword="null"/> when it is only compiled.</param>
    internal sealed record Snippet(int Id, string File, int Line, string[] Code, IReadOnlyList<string> Usings, string? Run)
    {
        /// <summary>Gets the index of the first line of its type declarations (<see cref="Code"/>'s length when there are none).</summary>
        public int DeclarationsStart
        {
            get
            {
                var index = Array.FindIndex(Code, static l => DeclarationStart().IsMatch(l));
                return index < 0 ? Code.Length : index;
            }
        }

        /// <summary>Gets its statements.</summary>
        public string[] Statements => Code[..DeclarationsStart];

        /// <summary>Gets the context variables it uses without declaring them, in a fixed order.</summary>
        public IReadOnlyList<string> Parameters
        {
            get
            {
                var text = string.Join('\n', Statements.Select(static l => l.Split("//")[0]));
                var declared = LocalDeclaration().Matches(text).Select(static m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
                return [.. ContextVariables.Where(v => !declared.Contains(v) && Regex.IsMatch(text, $@"\b{v}\b"))];
            }
        }

        /// <summary>Gets the variable whose value it claims and the claimed value, for a snippet that runs.</summary>
        public (string Variable, string Value)? Claim => Statements.Select(static l => ClaimedResult().Match(l)).LastOrDefault(static m => m.Success) is { } m
            ? (m.Groups[1].Value, m.Groups[2].Value)
            : null;

        /// <summary>Gets its command-line arguments when it runs.</summary>
        public string[] RunArguments => Run is null ? [] : Run.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        public string ToSource(string repository)
        {
            var path = Path.Combine(repository, File);
            var source = new StringBuilder();
            source.AppendLine(CultureInfo.InvariantCulture, $"// {File}, line {Line}");
            source.AppendLine("#pragma warning disable");
            foreach (var directive in Usings)
            {
                source.AppendLine(directive.Trim());
            }

            source.AppendLine(CultureInfo.InvariantCulture, $"namespace ReadmeSnippets.S{Id};");
            if (DeclarationsStart > 0)
            {
                var parameters = string.Join(", ", Parameters.Select(static p => $"{ContextTypes[p]} {p}"));
                source.AppendLine("public static class Snippet");
                source.AppendLine("{");
                source.AppendLine(CultureInfo.InvariantCulture, $"    public static async Task<object?> RunAsync({parameters})");
                source.AppendLine("    {");
                source.AppendLine(CultureInfo.InvariantCulture, $"#line {Line} \"{path}\"");
                foreach (var line in Statements)
                {
                    source.AppendLine(line);
                }

                source.AppendLine("#line default");
                source.AppendLine(CultureInfo.InvariantCulture, $"        return {(Run is not null && Claim is { } claim ? claim.Variable : "null")};");
                source.AppendLine("    }");
                source.AppendLine("}");
            }

            if (DeclarationsStart < Code.Length)
            {
                source.AppendLine(CultureInfo.InvariantCulture, $"#line {Line + DeclarationsStart} \"{path}\"");
                foreach (var line in Code[DeclarationsStart..])
                {
                    source.AppendLine(line);
                }
            }

            return source.ToString();
        }

        public override string ToString() => $"{File}:{Line}";
    }
}
