using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;
using PyHosting.Internal.Managed;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests.Managed;

/// <summary>The Managed backend's own state and permission checks, without starting the interpreter.</summary>
public class ManagedBackendStateTests
{
    private static ManagedBackend Create(Action<PythonRuntimeOptions>? configure = null)
    {
        var options = new PythonRuntimeOptions();
        configure?.Invoke(options);
        var sink = new OutputSink(null, null, NullLogger.Instance, NullLogger.Instance);
        return new ManagedBackend(options, new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), TimeProvider.System, NullLoggerFactory.Instance, () => sink);
    }

    [Fact]
    public void TheUmask_StartsAt022AndKeepsOnlyPermissionBits()
    {
        var backend = Create();
        Assert.Equal(PosixFunctions.DefaultUmask, backend.Umask);

        backend.Umask = 0x7FFF;

        Assert.Equal(0x1FF, backend.Umask);
    }

    [Fact]
    public void TheWorkingDirectory_StartsNormalisedFromTheOptions()
        => Assert.Equal("/srv/app", Create(o => o.FileSystem.WorkingDirectory = "/srv//data/../app/").WorkingDirectory);

    [Fact]
    public void Descriptors0To2_AreTheStandardStreams()
    {
        var backend = Create();

        Assert.Equal(3, backend.Fds.Count);
        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(fd => ((StandardFile)backend.Fds.Get(fd)).Descriptor));
    }

    [Fact]
    public void EnvironmentNone_ShowsOnlyTheConfiguredVariables()
    {
        Environment.SetEnvironmentVariable("PYHOSTING_STATE_TEST", "host");
        try
        {
            var backend = Create(o => o.Permissions.EnvironmentVariables["ONLY"] = "this");

            Assert.Equal(new Dictionary<string, string> { ["ONLY"] = "this" }, backend.Environment);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PYHOSTING_STATE_TEST", null);
        }
    }

    [Fact]
    public void EnvironmentInherit_CopiesTheProcessEnvironmentWithTheVariablesOnTop()
    {
        Environment.SetEnvironmentVariable("PYHOSTING_STATE_TEST", "host");
        try
        {
            var backend = Create(o =>
            {
                o.Permissions.Environment = EnvironmentAccess.Inherit;
                o.Permissions.EnvironmentVariables["PYHOSTING_STATE_TEST"] = "configured";
            });
            backend.Environment["ADDED"] = "by python";

            Assert.Equal("configured", backend.Environment["PYHOSTING_STATE_TEST"]);
            Assert.Equal("host", Environment.GetEnvironmentVariable("PYHOSTING_STATE_TEST"));
            Assert.Null(Environment.GetEnvironmentVariable("ADDED"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PYHOSTING_STATE_TEST", null);
        }
    }

    [Theory]
    [InlineData(IOAccess.None, false, false)]
    [InlineData(IOAccess.ReadOnly, true, false)]
    [InlineData(IOAccess.All, true, true)]
    public void FileChecks_FollowTheIOPermission(IOAccess io, bool canRead, bool canWrite)
    {
        var backend = Create(o => o.Permissions.IO = io);

        AssertCheck(canRead, () => backend.CheckRead("/data/x", "reading"), $"reading '/data/x' denied: PythonRuntime:Permissions:IO is {io}");
        AssertCheck(canRead, () => backend.CheckMetadata("/data/x", "listing"), $"listing '/data/x' denied: PythonRuntime:Permissions:IO is {io}");
        AssertCheck(canWrite, () => backend.CheckWrite("/data/x", "writing"), $"writing '/data/x' denied: PythonRuntime:Permissions:IO is {io}");
    }

    [Fact]
    public void ThreadAndProcessChecks_NameTheirKeys()
    {
        var backend = Create();

        var thread = Assert.Throws<PermissionDeniedException>(() => backend.CheckCreateThread("starting a thread"));
        var process = Assert.Throws<PermissionDeniedException>(() => backend.CheckCreateProcess("subprocess"));

        Assert.Equal("PythonRuntime:Permissions:CreateThread", thread.PermissionKey);
        Assert.Equal("subprocess denied: PythonRuntime:Permissions:CreateProcess is false", process.Message);
        Create(o => o.Permissions.CreateProcess = true).CheckCreateProcess("subprocess");
    }

    private static void AssertCheck(bool allowed, Action check, string message)
    {
        if (allowed)
        {
            check();
            return;
        }

        var denied = Assert.Throws<PermissionDeniedException>(check);
        Assert.Equal(message, denied.Message);
        Assert.Equal("PythonRuntime:Permissions:IO", denied.PermissionKey);
    }
}
