using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PyHosting.Internal;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests.TestSupport;

/// <summary>The collection every test of this assembly belongs to: CPython starts once per process.</summary>
[CollectionDefinition(Name)]
public sealed class ManagedRuntimeCollection : ICollectionFixture<ManagedRuntimeFixture>
{
    public const string Name = "Managed runtime";
}

/// <summary>
/// One Managed runtime with a permissive configuration: IO=All, threads and processes allowed (real
/// processes), Environment=None plus a few variables, and a mount table of in-memory <c>/tmp</c> and
/// <c>/data</c>, a physical <c>/host</c> (a temporary directory), the module path <c>/app</c> (in memory,
/// holding a module and a package) and <c>/mock</c>, whose provider a test swaps in. Python's clock is a
/// <see cref="FakeTimeProvider"/> the tests advance.
/// </summary>
public sealed class ManagedRuntimeFixture : IDisposable
{
    public const string HostOnlyVariable = "PYHOSTING_MANAGED_TESTS_HOST_ONLY";
    public const string Greeting = "hello from the host";

    private readonly ILoggerFactory _loggerFactory;
    private int _functions;

    public ManagedRuntimeFixture()
    {
        // Set in the real process environment: Environment=None must hide it from Python and its children.
        System.Environment.SetEnvironmentVariable(HostOnlyVariable, "host-secret");
        Clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 12, 0, 0, TimeSpan.Zero));
        HostDirectory = Directory.CreateTempSubdirectory("pyhosting-managed-").FullName;
        Tmp = new InMemoryPythonFileSystem(timeProvider: Clock);
        Data = new InMemoryPythonFileSystem(timeProvider: Clock);
        App = new InMemoryPythonFileSystem(timeProvider: Clock);
        SeedModules(App);
        Mock = new SwitchableFileSystem(new InMemoryPythonFileSystem(timeProvider: Clock));
        Physical = new PhysicalPythonFileSystem(HostDirectory);
        var fileSystem = new MountTablePythonFileSystem(
            new PythonMount("/tmp", Tmp),
            new PythonMount("/data", Data),
            new PythonMount("/host", Physical),
            new PythonMount("/app", App),
            new PythonMount("/mock", Mock));

        var options = new PythonRuntimeOptions { Backend = PythonBackend.Managed, ExecutionTimeout = null };
        options.Permissions.IO = IOAccess.All;
        options.Permissions.CreateThread = true;
        options.Permissions.CreateProcess = true;
        options.Permissions.Environment = EnvironmentAccess.None;
        options.Permissions.EnvironmentVariables["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        options.Permissions.EnvironmentVariables["PYH_GREETING"] = Greeting;
        options.Permissions.EnvironmentVariables["HOME"] = "/data";
        options.Processes.EnvironmentVariables.Add("ONLY");
        options.Processes.EnvironmentVariables.Add("PREFIXED_*");
        options.ModulePaths.Add("/app");

        Logs = new CapturingLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Runtime = PythonRuntimeFactory.Create(options, fileSystem, new ProcessPythonProcessProvider(), Clock, _loggerFactory);
        Runtime.Start();
    }

    internal PythonRuntime Runtime { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>Gets the host directory mounted at <c>/host</c>.</summary>
    public string HostDirectory { get; }

    /// <summary>Gets the file system mounted at <c>/tmp</c> (paths inside it are relative to the mount).</summary>
    public InMemoryPythonFileSystem Tmp { get; }

    /// <summary>Gets the file system mounted at <c>/data</c>.</summary>
    public InMemoryPythonFileSystem Data { get; }

    /// <summary>Gets the module path mounted at <c>/app</c>.</summary>
    public InMemoryPythonFileSystem App { get; }

    public PhysicalPythonFileSystem Physical { get; }

    /// <summary>Gets the mount at <c>/mock</c>; tests set <see cref="SwitchableFileSystem.Target"/>.</summary>
    public SwitchableFileSystem Mock { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>A name no other test uses (tests share the runtime and its file systems).</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Runs <paramref name="body"/> as the body of a Python function and converts what it returns.</summary>
    public async Task<T?> RunAsync<T>(string body, CancellationToken cancellationToken = default)
    {
        var name = "_test_" + Interlocked.Increment(ref _functions).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var code = new StringBuilder("def ").Append(name).Append("():\n");
        foreach (var line in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            code.Append("    ").Append(line).Append('\n');
        }

        await Runtime.ExecuteAsync(code.ToString(), cancellationToken);
        try
        {
            return await Runtime.EvaluateAsync<T>(name + "()", cancellationToken);
        }
        finally
        {
            await Runtime.ExecuteAsync("del " + name, CancellationToken.None);
        }
    }

    /// <summary>Runs Python code and returns what it wrote to standard output and error.</summary>
    public async Task<(string Output, string Error)> OutputOfAsync(string code)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using (Runtime.RedirectOutput(output, error))
        {
            await Runtime.ExecuteAsync(code);
        }

        return (output.ToString(), error.ToString());
    }

    /// <summary>Reads a whole file of a provider from C# (to check what Python did).</summary>
    public static string ReadText(IPythonFileSystem fileSystem, string path)
    {
        using var stream = fileSystem.Open(path, PythonOpenFlags.Read);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        Runtime.Stop();
        _loggerFactory.Dispose();
        Physical.Dispose();
        System.Environment.SetEnvironmentVariable(HostOnlyVariable, null);
        try
        {
            Directory.Delete(HostDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file; the directory is temporary anyway.
        }
    }

    private static void SeedModules(InMemoryPythonFileSystem app)
    {
        Write(app, "/appmod.py", "GREETING = 'from appmod'\n\ndef double(x):\n    return 2 * x\n");
        app.CreateDirectory("/apppkg");
        Write(app, "/apppkg/__init__.py", "from .util import shout\n\nVERSION = '1.2'\n");
        Write(app, "/apppkg/util.py", "def shout(text):\n    return text.upper() + '!'\n");
        Write(app, "/apppkg/data.txt", "package data\n");
    }

    private static void Write(InMemoryPythonFileSystem fs, string path, string text)
    {
        using var stream = fs.Open(path, PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}
