namespace PyHosting.Testing;

/// <summary>Finds PyHosting.TestHost's build output and the <c>dotnet</c> executable to run it with.</summary>
/// <remarks>
/// Test projects build the TestHost through a ProjectReference (without referencing its assembly),
/// so its output sits beside theirs: <c>tests/PyHosting.TestHost/bin/{Configuration}/{TargetFramework}/</c>.
/// <c>PYHOSTING_TESTHOST</c> overrides the path.
/// </remarks>
internal static class TestHostLocator
{
    private static readonly Lazy<string> LazyAssemblyPath = new(FindAssembly);

    public static string AssemblyPath => LazyAssemblyPath.Value;

    public static string Muxer
    {
        get
        {
            var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
            {
                return hostPath;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    private static string FindAssembly()
    {
        const string name = "PyHosting.TestHost.dll";
        var configured = Environment.GetEnvironmentVariable("PYHOSTING_TESTHOST");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"PYHOSTING_TESTHOST points to '{configured}', which does not exist.", configured);
        }

        // .../tests/<TestProject>/bin/<Configuration>/<TargetFramework>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        var candidate = Path.Combine(tests, "PyHosting.TestHost", "bin", configuration, framework, name);
        return File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException($"{name} was not found at '{candidate}'. Build tests/PyHosting.TestHost (test projects reference it), or set PYHOSTING_TESTHOST.", candidate);
    }
}
