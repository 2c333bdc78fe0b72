using PyHosting.Testing;

namespace PyHosting.Hosting.Tests.Integration;

/// <summary>One TestHost process shared by the tests of a class (start-up costs are paid once).</summary>
public abstract class PythonProcessFixture(IEnumerable<KeyValuePair<string, string?>> configuration) : IAsyncLifetime
{
    private PythonProcess? _process;

    public PythonProcess Process => _process ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _process = await PythonProcess.StartAsync(configuration);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

/// <summary>A Native runtime with the permissions it requires, and a registered extension that must be found at start.</summary>
public sealed class NativeFixture() : PythonProcessFixture(PythonProcess.Native(
[
    new("PythonRuntime:Permissions:CreateThread", "true"),
    new("PythonRuntime:NativeExtensions:0", "_sqlite3"),
]));

/// <summary>A Managed runtime with the default (safest) permissions.</summary>
public sealed class ManagedFixture() : PythonProcessFixture(new Dictionary<string, string?> { ["PythonRuntime:Backend"] = "Managed" });

/// <summary>A named runtime, in process, on the Managed backend with no file access.</summary>
public sealed class NamedManagedFixture() : PythonProcessFixture(new Dictionary<string, string?>
{
    ["TestHost:Runtime"] = "formulas",
    ["PythonRuntime:Runtimes:formulas:Backend"] = "Managed",
    ["PythonRuntime:Runtimes:formulas:Permissions:IO"] = "None",
});
