namespace PyHosting.Packaging.Tests;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack</c> of the three libraries into a local feed, a new application
/// outside the repository that references <c>PyHosting.Hosting</c> from that feed (and everything else from NuGet),
/// built and run once.
/// </summary>
public sealed class PackedPackagesTests
{
    private static readonly string[] Libraries = ["Providers", "Runtime", "Hosting"];

    [Fact]
    public async Task AFreshApplication_RestoresThePackedPackages_AndRunsACall()
    {
        var repository = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var version = $"0.0.0-consumer.{Guid.NewGuid():N}";
        var work = Directory.CreateTempSubdirectory("pyhosting-consumer-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            foreach (var library in Libraries)
            {
                var pack = await DotNetCli.RunAsync(repository, "pack", $"src/{library}/PyHosting.{library}.csproj", "-c", configuration, "--no-build", "-o", feed, $"-p:Version={version}");
                Assert.True(pack.ExitCode == 0, pack.Output);
            }

            foreach (var library in Libraries)
            {
                var package = Path.Combine(feed, $"PyHosting.{library}.{version}.nupkg");
                Assert.True(File.Exists(package), $"{package} was not produced");
                Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"no symbol package for PyHosting.{library}");
                using var archive = System.IO.Compression.ZipFile.OpenRead(package);
                Assert.Contains(archive.Entries, e => e.FullName == "README.md");
                var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
                Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            }

            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="PyHosting.Hosting" Version="{version}" />
                    <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using Microsoft.Extensions.DependencyInjection;
                using Microsoft.Extensions.Hosting;
                using PyHosting;

                var builder = Host.CreateApplicationBuilder(args);
                builder.Services.AddPythonRuntime();
                using var host = builder.Build();
                await host.StartAsync();
                var python = host.Services.GetRequiredService<IPythonRuntime>();
                var answer = await python.EvaluateAsync<int>("6 * 7");
                var refused = await python.EvaluateAsync<string>("__import__('os').listdir('/') and 'listed' or 'empty'")
                    .ContinueWith(t => t.Exception?.InnerException is PythonScriptException { PythonType: "PermissionError" } ? "refused" : "allowed");
                Console.WriteLine($"answer={answer} listing={refused}");
                await host.StopAsync();

                // The worker the package copied beside PyHosting.Hosting.dll, for a runtime in worker processes.
                var isolated = Host.CreateApplicationBuilder(args);
                isolated.Configuration["PythonRuntime:Isolation:Mode"] = "Process";
                isolated.Services.AddPythonRuntime();
                using var workerHost = isolated.Build();
                await workerHost.StartAsync();
                var fromWorker = await workerHost.Services.GetRequiredService<IPythonRuntime>().EvaluateAsync<int>("__import__('os').getpid() > 0 and 6 * 7");
                Console.WriteLine($"isolated={fromWorker}");
                await workerHost.StopAsync();
                """);

            var run = await DotNetCli.RunAsync(app, "run", "-c", "Release");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("answer=42 listing=refused", run.Output, StringComparison.Ordinal);
            Assert.Contains("isolated=42", run.Output, StringComparison.Ordinal);

            // Published self-contained, as for a container without .NET: no muxer to run the worker's assembly with,
            // so the package's targets give the worker an apphost on the runtime files published beside the host.
            var published = Path.Combine(work, "published");
            var publish = await DotNetCli.RunAsync(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", published);
            Assert.True(publish.ExitCode == 0, publish.Output);
            Assert.True(File.Exists(Path.Combine(published, "PyHosting.Worker")), "no worker apphost in the self-contained output");
            Assert.Contains("includedFrameworks", await File.ReadAllTextAsync(Path.Combine(published, "PyHosting.Worker.runtimeconfig.json")), StringComparison.Ordinal);
            var selfContained = await SelfContainedApp.RunAsync(Path.Combine(published, "Consumer"));

            Assert.True(selfContained.ExitCode == 0, selfContained.Output);
            Assert.Contains("isolated=42", selfContained.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            foreach (var library in Libraries)
            {
                var cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", $"pyhosting.{library.ToLowerInvariant()}", version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }
        }
    }

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
