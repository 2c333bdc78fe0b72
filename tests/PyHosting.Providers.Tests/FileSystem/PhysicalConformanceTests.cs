using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>The physical file system as it runs here: kernel resolution on Linux.</summary>
public sealed class PhysicalConformanceTests : PythonFileSystemConformanceTests
{
    private readonly TempDirectory _directory = new();
    private readonly PhysicalPythonFileSystem _fileSystem;

    public PhysicalConformanceTests()
    {
        _fileSystem = new PhysicalPythonFileSystem(_directory.Path);
    }

    protected override IPythonFileSystem FileSystem => _fileSystem;

    protected override bool SupportsHardLinks => _fileSystem.IsResolvedByKernel;

    [Fact]
    public void Constructor_OnLinux_UsesKernelResolution()
    {
        Assert.Equal(OperatingSystem.IsLinux(), _fileSystem.IsResolvedByKernel);
    }

    [Fact]
    public void GetStatus_OfASocketAndAFifo_IsOtherWithTheirTypeBits_AndAFileKeepsOnlyItsPermissionBits()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_directory.Path, "socket")));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(_directory.Path, "fifo")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.WriteAllText(Path.Combine(_directory.Path, "file"), "x");

        var statuses = new[] { "/socket", "/fifo", "/file" }.Select(p => _fileSystem.GetStatus(p)!).ToArray();

        Assert.Equal([PythonFileKind.Other, PythonFileKind.Other, PythonFileKind.File], statuses.Select(static s => s.Kind));
        Assert.Equal([0xC000, 0x1000, 0], statuses.Select(static s => s.Mode & 0xF000));
    }

    protected override void Dispose(bool disposing)
    {
        _fileSystem.Dispose();
        _directory.Dispose();
    }
}

/// <summary>The physical file system with the portable, component-by-component resolution.</summary>
public sealed class PhysicalPortableConformanceTests : PythonFileSystemConformanceTests
{
    private readonly TempDirectory _directory = new();
    private readonly PhysicalPythonFileSystem _fileSystem;

    public PhysicalPortableConformanceTests()
    {
        _fileSystem = new PhysicalPythonFileSystem(_directory.Path, preferKernelResolution: false);
    }

    protected override IPythonFileSystem FileSystem => _fileSystem;

    /// <summary>Gets a value indicating that hard links need the kernel's resolution inside the root.</summary>
    protected override bool SupportsHardLinks => false;

    protected override void Dispose(bool disposing)
    {
        _fileSystem.Dispose();
        _directory.Dispose();
    }
}
