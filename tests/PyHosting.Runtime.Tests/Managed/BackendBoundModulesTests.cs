using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PyHosting.Internal;
using PyHosting.Internal.Managed;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Internal.Managed.TimeZones;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests.Managed;

/// <summary>Modules of the Managed backend built on their own backend instance, without starting the interpreter.</summary>
public class BackendBoundModulesTests
{
    private static ManagedBackend Create(IPythonFileSystem? fileSystem = null, TimeProvider? clock = null, Action<PythonRuntimeOptions>? configure = null, IPythonRuntimeObserver? observer = null)
    {
        var options = new PythonRuntimeOptions();
        configure?.Invoke(options);
        var sink = new OutputSink(null, null, NullLogger.Instance, NullLogger.Instance);
        return new ManagedBackend(options, fileSystem ?? new InMemoryPythonFileSystem(), new DenyAllPythonProcessProvider(), clock ?? TimeProvider.System, NullLoggerFactory.Instance, () => sink, observer);
    }

    private sealed class DenialRecorder : IPythonRuntimeObserver
    {
        public List<string> Keys { get; } = [];

        public IPythonCallObservation OnCallStarting(string entryPoint) => throw new NotSupportedException();

        public void OnPermissionDenied(string permissionKey) => Keys.Add(permissionKey);
    }

    [Fact]
    public void OpenPath_CreatesTheFileRelativeToTheRuntimesDirectory_WithTheRuntimesUmask()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        fileSystem.CreateDirectory("/srv");
        var backend = Create(fileSystem, configure: o =>
        {
            o.Permissions.IO = IOAccess.All;
            o.FileSystem.WorkingDirectory = "/srv";
        });
        backend.Umask = 0x3F; // 0o077
        var posix = new PosixFunctions(backend);

        var fd = posix.OpenPath("data.txt", PosixFunctions.OCreat | PosixFunctions.OWrOnly, 0x1B6);

        Assert.Equal(3, fd);
        Assert.Equal("/srv/data.txt", backend.Fds.Get(fd).Path);
        Assert.Equal(0x180, fileSystem.GetStatus("/srv/data.txt")!.Mode & 0x1FF); // 0o666 & ~0o077
    }

    [Fact]
    public void OpenPath_ForWriting_IsRefusedByItsOwnBackendsPermissions()
    {
        var fileSystem = new InMemoryPythonFileSystem();
        var readOnly = new PosixFunctions(Create(fileSystem, configure: o => o.Permissions.IO = IOAccess.ReadOnly));
        var writable = new PosixFunctions(Create(fileSystem, configure: o => o.Permissions.IO = IOAccess.All));

        var denied = Assert.Throws<PermissionDeniedException>(() => readOnly.OpenPath("/x", PosixFunctions.OCreat | PosixFunctions.OWrOnly, 0x1B6));
        writable.OpenPath("/x", PosixFunctions.OCreat | PosixFunctions.OWrOnly, 0x1B6);

        Assert.Equal("writing '/x' denied: PythonRuntime:Permissions:IO is ReadOnly", denied.Message);
        Assert.Equal(PythonFileKind.File, fileSystem.GetStatus("/x")!.Kind);
    }

    [Fact]
    public void TheClocks_FollowEachBackendsOwnTimeProvider()
    {
        var first = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var second = new FakeTimeProvider(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var firstBackend = Create(clock: first);
        var secondBackend = Create(clock: second);
        var firstTime = new TimeModule(firstBackend, firstBackend.Modules);
        var secondTime = new TimeModule(secondBackend, secondBackend.Modules);

        Assert.Equal(0, firstTime.MonotonicNanoseconds());
        first.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(0, secondTime.MonotonicNanoseconds());
        second.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(90_000_000_000, firstTime.MonotonicNanoseconds());
        Assert.Equal(1_500_000_000, secondTime.MonotonicNanoseconds());
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 1, 30, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, firstTime.Nanoseconds());
    }

    [Fact]
    public void TheLocalZone_IsEachBackendsOwn_AndTzChangesOnlyTheBackendWhoseEnvironmentHasIt()
    {
        var first = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var second = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        first.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        second.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        var firstBackend = Create(clock: first);
        var secondBackend = Create(clock: second);
        var firstZone = new TimeModule(firstBackend, firstBackend.Modules).Zone;
        var secondZone = new TimeModule(secondBackend, secondBackend.Modules).Zone;
        var hostZone = (System.Environment.GetEnvironmentVariable("TZ"), TimeZoneInfo.Local.Id);

        Assert.Equal(9 * 3600, firstZone.Current.At(0).Offset);
        Assert.Equal(3600, secondZone.Current.At(0).Offset);

        firstBackend.Environment["TZ"] = "EST+05EDT,M3.2.0,M11.1.0";
        firstZone.Reset();

        Assert.Equal(new ZonePeriod(-5 * 3600, false, "EST"), firstZone.Current.At(0));
        Assert.Equal(new ZonePeriod(-4 * 3600, true, "EDT"), firstZone.Current.At(new DateTimeOffset(2030, 7, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()));
        Assert.Equal(3600, secondZone.Current.At(0).Offset);
        Assert.Equal(hostZone, (System.Environment.GetEnvironmentVariable("TZ"), TimeZoneInfo.Local.Id));

        // The provider's zone is followed again once TZ is gone, and when the provider's zone changes.
        firstBackend.Environment.Remove("TZ");
        firstZone.Reset();
        first.SetLocalTimeZone(TimeZoneInfo.Utc);
        Assert.Equal(0, firstZone.Current.At(0).Offset);
    }

    [Fact]
    public void RecordedBytecode_IsTrustedOnce_AndOnlyByTheBackendThatRecordedIt()
    {
        var backend = Create();
        var other = Create();
        var pyc = new byte[16 + 4];
        pyc[16] = 0xE3;
        pyc[19] = 0x2A;

        backend.TrustedBytecode.Record(pyc);

        Assert.False(other.TrustedBytecode.IsTrusted(pyc.AsSpan(16)));
        Assert.True(backend.TrustedBytecode.IsTrusted(pyc.AsSpan(16)));
        Assert.False(backend.TrustedBytecode.IsTrusted(pyc.AsSpan(16)));
    }

    [Fact]
    public void AuditDenials_AreCountedByTheBackendThatRefused()
    {
        var denied = new DenialRecorder();
        var otherDenied = new DenialRecorder();
        var backend = Create(observer: denied);
        _ = Create(observer: otherDenied);

        var walk = backend.OnAuditEvent("gc.get_objects", 0);
        var ctypes = backend.OnAuditEvent("ctypes.dlopen", 0);
        var allowed = backend.OnAuditEvent("os.listdir", 0);

        Assert.Equal("gc.get_objects (walking the interpreter's objects) denied: not available in the managed backend", walk.Message);
        Assert.Equal("ctypes.dlopen denied: PythonRuntime:Permissions:NativeAccess is false", ctypes.Message);
        Assert.False(allowed.IsDenied);
        Assert.Equal(["ManagedBackend", "PythonRuntime:Permissions:NativeAccess"], denied.Keys);
        Assert.Empty(otherDenied.Keys);
    }

    [Fact]
    public void MarshalLoads_IsRefusedOnceTheBackendEnforcesTrustedBytecode()
    {
        var backend = Create();

        Assert.False(backend.OnAuditEvent("marshal.loads", 0).IsDenied);
        backend.TrustedBytecode.Enforcing = true;

        Assert.True(backend.OnAuditEvent("marshal.loads", 0).IsDenied);
    }
}
