using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Tests;

public sealed class PythonRuntimeOptionsCustomValidatorTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("pyhosting-validator-").FullName;

    public PythonRuntimeOptionsCustomValidatorTests()
    {
        Directory.CreateDirectory(Path.Combine(_contentRoot, "scripts"));
        File.WriteAllText(Path.Combine(_contentRoot, "file.txt"), "x");
    }

    public static TheoryData<string, Action<PythonRuntimeOptions>> ValidOptions => new()
    {
        { "defaults", static _ => { } },
        { "native with its permissions", static o => Native(o) },
        { "native extension with its permissions", static o => { AllNativePermissions(o); o.NativeExtensions.Add("numpy"); o.NativeExtensions.Add("my_pkg._speedups"); } },
        { "no timeout", static o => o.ExecutionTimeout = null },
        { "zero timeout", static o => o.ExecutionTimeout = TimeSpan.Zero },
        { "a day's timeout", static o => o.ExecutionTimeout = TimeSpan.FromDays(1) },
        { "relative module path with native", static o => { Native(o); o.ModulePaths.Add("lib"); } },
        { "absolute module path with managed", static o => o.ModulePaths.Add("/app/lib") },
        { "allowed executables with create process", static o => { o.Permissions.CreateProcess = true; o.Processes.AllowedExecutables.Add("echo"); } },
        { "create process without list", static o => o.Permissions.CreateProcess = true },
        { "child environment variables", static o => { o.Permissions.CreateProcess = true; o.Processes.EnvironmentVariables.Add("MY_SETTING"); } },
        {
            "mounts", static o =>
            {
                o.FileSystem.WorkingDirectory = "/app";
                o.FileSystem.Mounts.Add(new PythonMountOptions { Path = "/", InMemory = true });
                o.FileSystem.Mounts.Add(new PythonMountOptions { Path = "/app", HostPath = "scripts", ReadOnly = true });
                o.FileSystem.Mounts.Add(new PythonMountOptions { Path = "/tmp", InMemory = true, MaxBytes = 1 });
            }
        },
        { "environment variables", static o => o.Permissions.EnvironmentVariables["LANG"] = "C.UTF-8" },
        { "no memory limit", static o => o.MemoryLimit = null },
        { "zero memory limit", static o => o.MemoryLimit = 0 },
        { "smallest memory limit", static o => o.MemoryLimit = 32L * 1024 * 1024 },
        { "large memory limit", static o => o.MemoryLimit = long.MaxValue },
    };

    public static TheoryData<string, Action<PythonRuntimeOptions>, string> InvalidOptions => new()
    {
        { "unknown backend", static o => o.Backend = (PythonBackend)7, "PythonRuntime:Backend '7' is not a valid value; use one of: Managed, Native." },
        { "unknown IO", static o => o.Permissions.IO = (IOAccess)9, "PythonRuntime:Permissions:IO '9' is not a valid value; use one of: None, ReadOnly, All." },
        { "unknown environment", static o => o.Permissions.Environment = (EnvironmentAccess)5, "PythonRuntime:Permissions:Environment '5' is not a valid value; use one of: None, Inherit." },
        { "negative timeout", static o => o.ExecutionTimeout = TimeSpan.FromSeconds(-1), "PythonRuntime:ExecutionTimeout '-00:00:01' must not be negative; use a time span such as 00:00:30, or 00:00:00 for no limit." },
        { "timeout too long", static o => o.ExecutionTimeout = TimeSpan.FromDays(60), "PythonRuntime:ExecutionTimeout '60.00:00:00' is more than a day; use a time span such as 00:00:30 (at most 1.00:00:00), or 00:00:00 for no limit." },
        { "timeout just over a day", static o => o.ExecutionTimeout = TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1), "PythonRuntime:ExecutionTimeout '1.00:00:01' is more than a day; use a time span such as 00:00:30 (at most 1.00:00:00), or 00:00:00 for no limit." },
        { "negative memory limit", static o => o.MemoryLimit = -1, "PythonRuntime:MemoryLimit '-1' must not be negative; set a size in bytes such as 1073741824 (1 GiB), or 0 for no limit." },
        { "memory limit too small to start", static o => o.MemoryLimit = 33554431, "PythonRuntime:MemoryLimit '33554431' is below 33554432 bytes (32 MiB), the least the interpreter needs to start; set at least 33554432, or 0 for no limit." },
        { "missing library", static o => o.PythonLibrary = "/nonexistent/libpython3.11.so.1.0", "PythonRuntime:PythonLibrary '/nonexistent/libpython3.11.so.1.0' does not exist; set it to the path of the CPython 3.11 shared library (libpython3.11.so.1.0), or remove it to detect the library." },
        {
            "native without permissions", static o => o.Backend = PythonBackend.Native,
            "PythonRuntime:Backend 'Native' requires PythonRuntime:Permissions:IO=All (found None) and PythonRuntime:Permissions:NativeAccess=true (found false): the Native backend is not sandboxed; grant them, or use PythonRuntime:Backend=Managed."
        },
        {
            "native with read-only IO", static o => { Native(o); o.Permissions.IO = IOAccess.ReadOnly; },
            "PythonRuntime:Backend 'Native' requires PythonRuntime:Permissions:IO=All (found ReadOnly): the Native backend is not sandboxed; grant them, or use PythonRuntime:Backend=Managed."
        },
        {
            "native without native access", static o => { Native(o); o.Permissions.NativeAccess = false; },
            "PythonRuntime:Backend 'Native' requires PythonRuntime:Permissions:NativeAccess=true (found false): the Native backend is not sandboxed; grant them, or use PythonRuntime:Backend=Managed."
        },
        {
            "native extension without permissions", static o => o.NativeExtensions.Add("numpy"),
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found None), PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false)."
        },
        {
            "native extension without native access", static o => { AllNativePermissions(o); o.Permissions.NativeAccess = false; o.NativeExtensions.Add("numpy"); },
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:NativeAccess=true (found false)."
        },
        {
            "native extension without threads", static o => { AllNativePermissions(o); o.Permissions.CreateThread = false; o.NativeExtensions.Add("numpy"); },
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:CreateThread=true (found false)."
        },
        {
            "native extension with read-only IO", static o => { AllNativePermissions(o); o.Permissions.IO = IOAccess.ReadOnly; o.NativeExtensions.Add("numpy"); },
            "PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found ReadOnly)."
        },
        { "native extension with a dash", static o => { AllNativePermissions(o); o.NativeExtensions.Add("numpy-core"); }, "PythonRuntime:NativeExtensions:0 'numpy-core' is not a Python module name; use a dotted identifier such as numpy or package.module." },
        { "native extension with a leading digit", static o => { AllNativePermissions(o); o.NativeExtensions.Add("1abc"); }, "PythonRuntime:NativeExtensions:0 '1abc' is not a Python module name; use a dotted identifier such as numpy or package.module." },
        { "native extension with an empty part", static o => { AllNativePermissions(o); o.NativeExtensions.Add("a..b"); }, "PythonRuntime:NativeExtensions:0 'a..b' is not a Python module name; use a dotted identifier such as numpy or package.module." },
        { "native extension that is a keyword", static o => { AllNativePermissions(o); o.NativeExtensions.Add("pkg.class"); }, "PythonRuntime:NativeExtensions:0 'pkg.class' is not a Python module name; use a dotted identifier such as numpy or package.module." },
        { "empty native extension", static o => { AllNativePermissions(o); o.NativeExtensions.Add(""); }, "PythonRuntime:NativeExtensions:0 '' is not a Python module name; use a dotted identifier such as numpy or package.module." },
        { "relative managed module path", static o => o.ModulePaths.Add("lib"), "PythonRuntime:ModulePaths:0 'lib' must be an absolute path in the runtime's file system, such as /app/lib (a Managed module path is a path in the runtime's file system)." },
        { "unnormalised managed module path", static o => o.ModulePaths.Add("/app/../lib/"), "PythonRuntime:ModulePaths:0 '/app/../lib/' is not normalised; use '/lib'." },
        { "empty module path", static o => { Native(o); o.ModulePaths.Add(" "); }, "PythonRuntime:ModulePaths:0 is empty; set a directory, or remove the entry." },
        {
            "allowed executables without create process", static o => { o.Processes.AllowedExecutables.Add("echo"); o.Processes.AllowedExecutables.Add("/bin/cat"); },
            "PythonRuntime:Processes:AllowedExecutables lists 2 executables ('echo', '/bin/cat') but PythonRuntime:Permissions:CreateProcess is false; set PythonRuntime:Permissions:CreateProcess=true to let Python code start them, or remove the list."
        },
        { "empty allowed executable", static o => { o.Permissions.CreateProcess = true; o.Processes.AllowedExecutables.Add(""); }, "PythonRuntime:Processes:AllowedExecutables:0 is empty; set an executable name or absolute path, or remove the entry." },
        { "malformed child environment variable", static o => o.Processes.EnvironmentVariables.Add("A=B"), "PythonRuntime:Processes:EnvironmentVariables:0 'A=B' is not a variable name or prefix; set a name such as MY_SETTING, a prefix such as MY_APP_* ('*' only at the end), or remove the entry." },
        { "child environment prefix with an inner star", static o => o.Processes.EnvironmentVariables.Add("A*B"), "PythonRuntime:Processes:EnvironmentVariables:0 'A*B' is not a variable name or prefix; set a name such as MY_SETTING, a prefix such as MY_APP_* ('*' only at the end), or remove the entry." },
        { "interpreter prefix for children", static o => o.Processes.EnvironmentVariables.Add("PYTHONX*"), "PythonRuntime:Processes:EnvironmentVariables:0 'PYTHONX*' never reaches a child process (it can make the program load or run other code); remove the entry." },
        { "loader variable for children", static o => o.Processes.EnvironmentVariables.Add("LD_PRELOAD"), "PythonRuntime:Processes:EnvironmentVariables:0 'LD_PRELOAD' never reaches a child process (it can make the program load or run other code); remove the entry." },
        { "bad environment variable", static o => o.Permissions.EnvironmentVariables["A=B"] = "x", "PythonRuntime:Permissions:EnvironmentVariables 'A=B' is not a valid environment variable name; use a non-empty name without '='." },
        { "relative working directory", static o => o.FileSystem.WorkingDirectory = "app", "PythonRuntime:FileSystem:WorkingDirectory 'app' must be an absolute path in the runtime's file system, such as /." },
        { "unnormalised working directory", static o => o.FileSystem.WorkingDirectory = "/app/", "PythonRuntime:FileSystem:WorkingDirectory '/app/' is not normalised; use '/app'." },
        { "empty working directory", static o => o.FileSystem.WorkingDirectory = "", "PythonRuntime:FileSystem:WorkingDirectory is empty; set an absolute path in the runtime's file system, such as /." },
        { "empty mount path", static o => Mount(o, new() { InMemory = true }), "PythonRuntime:FileSystem:Mounts:0:Path is empty; set an absolute path inside the runtime, such as /app." },
        { "relative mount path", static o => Mount(o, new() { Path = "app", InMemory = true }), "PythonRuntime:FileSystem:Mounts:0:Path 'app' must be an absolute path in the runtime's file system, such as /app." },
        { "unnormalised mount path", static o => Mount(o, new() { Path = "//app/./data", InMemory = true }), "PythonRuntime:FileSystem:Mounts:0:Path '//app/./data' is not normalised; use '/app/data'." },
        {
            "duplicate mount path", static o => { Mount(o, new() { Path = "/app", InMemory = true }); Mount(o, new() { Path = "/app", HostPath = "scripts" }); },
            "PythonRuntime:FileSystem:Mounts:1:Path '/app' is already mounted by PythonRuntime:FileSystem:Mounts:0; mount each path once."
        },
        {
            "host path with in-memory", static o => Mount(o, new() { Path = "/app", HostPath = "scripts", InMemory = true }),
            "PythonRuntime:FileSystem:Mounts:0:HostPath 'scripts' cannot be combined with PythonRuntime:FileSystem:Mounts:0:InMemory=true; remove one of them."
        },
        {
            "no host path", static o => Mount(o, new() { Path = "/app" }),
            "PythonRuntime:FileSystem:Mounts:0:HostPath is not set; set the host directory that serves '/app', or set PythonRuntime:FileSystem:Mounts:0:InMemory=true."
        },
        {
            "in-memory without room", static o => Mount(o, new() { Path = "/tmp", InMemory = true, MaxBytes = 0 }),
            "PythonRuntime:FileSystem:Mounts:0:MaxBytes '0' must be greater than 0 for an in-memory mount; set a size limit in bytes, such as 67108864."
        },
    };

    [Theory]
    [MemberData(nameof(ValidOptions))]
    public void Validate_ValidOptions_Succeeds(string name, Action<PythonRuntimeOptions> arrange)
    {
        var options = new PythonRuntimeOptions();
        arrange(options);

        var result = Validator().Validate(null, options);

        Assert.True(result.Succeeded, $"{name}: {result.FailureMessage}");
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidOptions_EnsureExactError(string name, Action<PythonRuntimeOptions> arrange, string expected)
    {
        var options = new PythonRuntimeOptions();
        arrange(options);

        var result = Validator().Validate(null, options);

        Assert.True(result.Failed, name);
        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_HostPathThatDoesNotExist_NamesTheResolvedPath()
    {
        var options = new PythonRuntimeOptions();
        Mount(options, new() { Path = "/data", HostPath = "missing" });

        var failure = Assert.Single(Validator().Validate(null, options).Failures!);

        var resolved = Path.Combine(_contentRoot, "missing");
        Assert.Equal($"PythonRuntime:FileSystem:Mounts:0:HostPath 'missing' does not exist ({resolved}, relative paths are relative to the content root); create the directory or correct the path.", failure);
    }

    [Fact]
    public void Validate_HostPathThatIsAFile_AsksForADirectory()
    {
        var options = new PythonRuntimeOptions();
        Mount(options, new() { Path = "/data", HostPath = "file.txt" });

        var failure = Assert.Single(Validator().Validate(null, options).Failures!);

        Assert.Equal($"PythonRuntime:FileSystem:Mounts:0:HostPath 'file.txt' is a file ({Path.Combine(_contentRoot, "file.txt")}); mount a directory.", failure);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAllTogether()
    {
        var options = new PythonRuntimeOptions { Backend = PythonBackend.Native, ExecutionTimeout = TimeSpan.FromSeconds(-5) };
        options.NativeExtensions.Add("numpy");
        options.NativeExtensions.Add("bad-name");
        options.Processes.AllowedExecutables.Add("echo");
        Mount(options, new() { Path = "tmp", HostPath = "x", InMemory = true });

        var result = Validator().Validate(null, options);

        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("PythonRuntime:ExecutionTimeout '-00:00:05' must not be negative", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:Backend 'Native' requires PythonRuntime:Permissions:IO=All (found None) and PythonRuntime:Permissions:NativeAccess=true (found false)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:NativeExtensions:0 'numpy' requires PythonRuntime:Permissions:IO=All (found None), PythonRuntime:Permissions:CreateThread=true (found false) and PythonRuntime:Permissions:NativeAccess=true (found false)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:NativeExtensions:1 'bad-name' is not a Python module name", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:NativeExtensions:1 'bad-name' requires", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:Processes:AllowedExecutables lists 1 executable ('echo') but PythonRuntime:Permissions:CreateProcess is false", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:FileSystem:Mounts:0:Path 'tmp' must be an absolute path", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:FileSystem:Mounts:0:HostPath 'x' cannot be combined with PythonRuntime:FileSystem:Mounts:0:InMemory=true", f, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    private PythonRuntimeOptionsCustomValidator Validator() => new(registrations: null, _contentRoot);

    private static void Native(PythonRuntimeOptions options)
    {
        options.Backend = PythonBackend.Native;
        options.Permissions.IO = IOAccess.All;
        options.Permissions.NativeAccess = true;
    }

    private static void AllNativePermissions(PythonRuntimeOptions options)
    {
        options.Permissions.IO = IOAccess.All;
        options.Permissions.CreateThread = true;
        options.Permissions.NativeAccess = true;
    }

    private static void Mount(PythonRuntimeOptions options, PythonMountOptions mount) => options.FileSystem.Mounts.Add(mount);
}
