using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// A TestHost process (a real generic host with <c>AddPythonRuntime</c>) with its own configuration, for
/// the permissions this process's in-process runtime cannot have. <see cref="Root"/> is a host directory the
/// fixture may fill before the host starts.
/// </summary>
public abstract class TestHostFixture : IAsyncLifetime
{
    private PythonProcess? _process;

    protected TestHostFixture() => Root = Directory.CreateTempSubdirectory("pyhosting-sandbox-host-").FullName;

    public string Root { get; }

    public PythonProcess Python => _process ?? throw new InvalidOperationException("The TestHost has not started.");

    public async Task InitializeAsync()
    {
        Prepare();
        var configuration = new Dictionary<string, string?>(Configuration(), StringComparer.OrdinalIgnoreCase)
        {
            ["PythonRuntime:ExecutionTimeout"] = "00:00:10",
        };
        _process = await PythonProcess.StartAsync(configuration, environment: Environment);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }

    /// <summary>Gets the pids of the TestHost's child processes.</summary>
    public IReadOnlyList<int> Children()
    {
        var parent = Python.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    if (stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == parent)
                    {
                        children.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // The process ended meanwhile.
                }
            }
        }

        return children;
    }

    /// <summary>Asserts that the host still answers.</summary>
    public async Task AssertAliveAsync()
    {
        Assert.Null(Python.ExitCode);
        Assert.Equal(2, (await Python.EvalAsync("1 + 1")).GetResult<int>());
    }

    protected abstract IEnumerable<KeyValuePair<string, string?>> Configuration();

    protected virtual IReadOnlyDictionary<string, string>? Environment => null;

    protected virtual void Prepare()
    {
    }
}
