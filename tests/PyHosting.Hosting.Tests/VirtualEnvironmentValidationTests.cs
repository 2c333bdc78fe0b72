using PyHosting.Hosting.Internal;

namespace PyHosting.Hosting.Tests;

/// <summary>
/// <c>PythonRuntime:VirtualEnvironment</c> as validation reads it, on virtual environments laid out by hand (a
/// <c>pyvenv.cfg</c> and <c>lib/python3.11/site-packages</c>): extension files only need their names to be listed.
/// </summary>
public sealed class VirtualEnvironmentValidationTests : IDisposable
{
    private const string Suffix = ".cpython-311-x86_64-linux-gnu.so";
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("pyhosting-venv-").FullName;

    [Fact]
    public void Validate_PureVirtualEnvironment_Succeeds()
    {
        var sitePackages = CreateVenv("venv");
        Write(sitePackages, "greeting/__init__.py");
        Write(sitePackages, "greeting-1.0.dist-info/METADATA");

        var result = Validate(o => o.VirtualEnvironment = "venv");

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_MissingDirectory_NamesKeyResolvedPathAndFix()
    {
        var failure = Assert.Single(Validate(o => o.VirtualEnvironment = "missing").Failures!);

        var full = Path.Combine(_contentRoot, "missing");
        Assert.Equal($"PythonRuntime:VirtualEnvironment 'missing' does not exist ({full}; a relative path is relative to the content root); create it with 'python3.11 -m venv {full}', or correct the path.", failure);
    }

    [Fact]
    public void Validate_DirectoryWithoutPyvenvCfg_IsNotAVirtualEnvironment()
    {
        Directory.CreateDirectory(Path.Combine(_contentRoot, "plain"));

        var failure = Assert.Single(Validate(o => o.VirtualEnvironment = "plain").Failures!);

        var full = Path.Combine(_contentRoot, "plain");
        Assert.Equal($"PythonRuntime:VirtualEnvironment 'plain' is not a virtual environment: {full} has no pyvenv.cfg; create one with 'python3.11 -m venv {full}', or set the directory that holds pyvenv.cfg.", failure);
    }

    [Theory]
    [InlineData("version = 3.12.1", "Python 3.12.1")]
    [InlineData("version_info = 3.10.13.final.0", "Python 3.10.13.final.0")]
    [InlineData("home = /usr/bin", "no version in pyvenv.cfg")]
    public void Validate_VirtualEnvironmentOfAnotherPython_AsksToRecreateIt(string versionLine, string found)
    {
        var root = Directory.CreateDirectory(Path.Combine(_contentRoot, "other")).FullName;
        File.WriteAllText(Path.Combine(root, "pyvenv.cfg"), $"home = /usr/bin\ninclude-system-site-packages = false\n{versionLine}\n");

        var failure = Assert.Single(Validate(o => o.VirtualEnvironment = "other").Failures!);

        Assert.Equal($"PythonRuntime:VirtualEnvironment 'other' was made for {found}, but the runtime is CPython 3.11; recreate it with 'python3.11 -m venv {root}' and install its packages again.", failure);
    }

    [Fact]
    public void Validate_UnregisteredNativeExtensions_ReportsEachPackageOnceWithTheKey()
    {
        var sitePackages = CreateVenv("venv");
        Write(sitePackages, "fastmath" + Suffix);
        Write(sitePackages, "numpy/__init__.py");
        Write(sitePackages, "numpy/core/_multiarray_umath" + Suffix);
        Write(sitePackages, "numpy/linalg/_umath_linalg" + Suffix);

        // Not importable, so not extension modules: vendored libraries, another Python's build, metadata.
        Write(sitePackages, "numpy.libs/libopenblas64_p-r0-15028c96.3.21.so");
        Write(sitePackages, "other.cpython-312-x86_64-linux-gnu.so");
        Write(sitePackages, "numpy-1.26.dist-info/RECORD");

        var result = Validate(o => { AllNativePermissions(o); o.VirtualEnvironment = "venv"; });

        Assert.Equal(
            [
                $"PythonRuntime:VirtualEnvironment 'venv' contains the native extension 'fastmath' (lib/python3.11/site-packages/fastmath{Suffix}), which is not registered; add 'fastmath' to PythonRuntime:NativeExtensions (a native extension runs with full access to the process), or remove it from the virtual environment.",
                $"PythonRuntime:VirtualEnvironment 'venv' contains the native extension 'numpy.core._multiarray_umath' (lib/python3.11/site-packages/numpy/core/_multiarray_umath{Suffix} and 1 more), which is not registered; add 'numpy' to PythonRuntime:NativeExtensions (a native extension runs with full access to the process), or remove it from the virtual environment.",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_RegisteredNativeExtensions_Succeeds()
    {
        var sitePackages = CreateVenv("venv");
        Write(sitePackages, "fastmath.abi3.so");
        Write(sitePackages, "numpy/core/_multiarray_umath" + Suffix);

        var result = Validate(o =>
        {
            AllNativePermissions(o);
            o.VirtualEnvironment = "venv";
            o.NativeExtensions.Add("numpy");
            o.NativeExtensions.Add("fastmath");
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_PthDirectoryOutsideTheEnvironment_IsRefusedByManagedOnly()
    {
        var sitePackages = CreateVenv("venv");
        var outside = Directory.CreateDirectory(Path.Combine(_contentRoot, "elsewhere")).FullName;
        Directory.CreateDirectory(Path.Combine(_contentRoot, "venv", "src"));
        var pth = Path.Combine(sitePackages, "extra.pth");
        File.WriteAllText(pth, $"# a comment\n../../../src\n{outside}\nimport sys\n/does/not/exist\n");

        var managed = Validate(o => o.VirtualEnvironment = "venv");
        var native = Validate(o => { Native(o); o.VirtualEnvironment = "venv"; });

        var failure = Assert.Single(managed.Failures!);
        Assert.Equal($"PythonRuntime:VirtualEnvironment 'venv': {pth} line 3 adds '{outside}', outside the virtual environment, which the Managed backend does not serve; move the directory into the virtual environment, or mount it (PythonRuntime:FileSystem:Mounts) and list its runtime path in PythonRuntime:ModulePaths.", failure);
        Assert.True(native.Succeeded, native.FailureMessage);
    }

    [Fact]
    public void Validate_SymbolicLinkOutOfTheEnvironment_IsRefusedByManagedAndFollowedByNative()
    {
        var sitePackages = CreateVenv("venv");
        var package = Directory.CreateDirectory(Path.Combine(_contentRoot, "system", "fastpkg")).FullName;
        Write(package, "_speedups" + Suffix);
        File.CreateSymbolicLink(Path.Combine(sitePackages, "fastpkg"), package);

        var managed = Validate(o => { AllNativePermissions(o); o.VirtualEnvironment = "venv"; o.NativeExtensions.Add("fastpkg"); });
        var nativeUnregistered = Validate(o => { Native(o); o.VirtualEnvironment = "venv"; });

        Assert.Equal(
            [$"PythonRuntime:VirtualEnvironment 'venv': lib/python3.11/site-packages/fastpkg is a symbolic link to '{package}', outside the virtual environment, which the Managed backend does not follow; copy it into the virtual environment instead (cp -r)."],
            managed.Failures);
        Assert.Contains(nativeUnregistered.Failures!, f => f.Contains("contains the native extension 'fastpkg._speedups'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsTheEnvironmentsWithTheOthers()
    {
        var sitePackages = CreateVenv("venv");
        Write(sitePackages, "a" + Suffix);
        Write(sitePackages, "b" + Suffix);

        var result = Validate(o => { o.VirtualEnvironment = "venv"; o.ExecutionTimeout = TimeSpan.FromSeconds(-1); });

        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("PythonRuntime:ExecutionTimeout '-00:00:01' must not be negative", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:VirtualEnvironment 'venv' contains the native extension 'a'", f, StringComparison.Ordinal),
            f => Assert.StartsWith("PythonRuntime:VirtualEnvironment 'venv' contains the native extension 'b'", f, StringComparison.Ordinal));
    }

    [Fact]
    public void PostConfigure_RelativeVirtualEnvironment_IsMadeAbsoluteAgainstTheContentRoot()
    {
        var options = new PythonRuntimeOptions { VirtualEnvironment = "venv" };

        new PythonRuntimePostConfigureOptions(new TestEnvironment(_contentRoot)).PostConfigure(null, options);

        Assert.Equal(Path.Combine(_contentRoot, "venv"), options.VirtualEnvironment);
    }

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    private static void AllNativePermissions(PythonRuntimeOptions options)
    {
        options.Permissions.IO = IOAccess.All;
        options.Permissions.CreateThread = true;
        options.Permissions.NativeAccess = true;
    }

    private static void Native(PythonRuntimeOptions options)
    {
        AllNativePermissions(options);
        options.Backend = PythonBackend.Native;
    }

    private static void Write(string directory, string relativePath)
    {
        var path = Path.Combine(directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);
    }

    private string CreateVenv(string name)
    {
        var root = Directory.CreateDirectory(Path.Combine(_contentRoot, name)).FullName;
        File.WriteAllText(Path.Combine(root, "pyvenv.cfg"), "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n");
        return Directory.CreateDirectory(Path.Combine(root, "lib", "python3.11", "site-packages")).FullName;
    }

    private Microsoft.Extensions.Options.ValidateOptionsResult Validate(Action<PythonRuntimeOptions> arrange)
    {
        var options = new PythonRuntimeOptions();
        arrange(options);
        return new PythonRuntimeOptionsCustomValidator(registrations: null, _contentRoot).Validate(null, options);
    }

    private sealed class TestEnvironment(string contentRoot) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = "Test";

        public string ContentRootPath { get; set; } = contentRoot;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
