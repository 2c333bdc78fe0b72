using PyHosting.Providers.Tests.TestSupport;

namespace PyHosting.Providers.Tests.FileSystem;

/// <summary>
/// Nothing outside the root is ever reached: a sandbox holds the root and, beside it, a secret
/// that every test tries to read, list, change or replace through the file system.
/// </summary>
public sealed class PhysicalEscapeTests : IDisposable
{
    private const string Secret = "TOP-SECRET-CONTENT";
    private readonly TempDirectory _sandbox = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly string _secretFile;

    public PhysicalEscapeTests()
    {
        _root = _sandbox.Combine("root");
        _outside = _sandbox.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
        _secretFile = Path.Combine(_outside, "secret.txt");
        File.WriteAllText(_secretFile, Secret);
    }

    public static TheoryData<bool> Resolutions => new() { true, false };

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Open_SymbolicLinkToEtc_ResolvesInsideTheRoot(bool kernel)
    {
        Assert.True(File.Exists("/etc/passwd"));
        using var fileSystem = Create(kernel);
        fileSystem.CreateSymbolicLink("/etc-link", "/etc");

        Assert.Null(fileSystem.GetStatus("/etc-link/passwd"));
        Assert.Throws<FileNotFoundException>(() => fileSystem.Open("/etc-link/passwd", PythonOpenFlags.Read));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.ReadDirectory("/etc-link"));
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Open_AbsoluteSymbolicLink_IsRelativeToTheRootLikeAChroot(bool kernel)
    {
        using var fileSystem = Create(kernel);
        fileSystem.CreateSymbolicLink("/abs", _secretFile);
        Assert.Throws<FileNotFoundException>(() => fileSystem.Open("/abs", PythonOpenFlags.Read));

        // The same absolute path, recreated inside the root, is what the link reaches.
        var mirrored = Path.Join(_root, _secretFile);
        Directory.CreateDirectory(Path.GetDirectoryName(mirrored)!);
        File.WriteAllText(mirrored, "inside");

        Assert.Equal("inside", fileSystem.ReadText("/abs"));
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Open_DotDotSymbolicLinks_StopAtTheRoot(bool kernel)
    {
        using var fileSystem = Create(kernel);
        fileSystem.CreateDirectory("/sub");
        fileSystem.CreateSymbolicLink("/up", "../outside/secret.txt");
        fileSystem.CreateSymbolicLink("/sub/far", "../../../../../../../outside/secret.txt");
        fileSystem.CreateSymbolicLink("/parent", "..");

        Assert.Throws<FileNotFoundException>(() => fileSystem.Open("/up", PythonOpenFlags.Read));
        Assert.Throws<FileNotFoundException>(() => fileSystem.Open("/sub/far", PythonOpenFlags.Read));
        Assert.Throws<FileNotFoundException>(() => fileSystem.Open("/parent/outside/secret.txt", PythonOpenFlags.Read));
        var names = fileSystem.ReadDirectory("/parent").Select(e => e.Name).ToArray();
        Assert.Contains("sub", names);
        Assert.DoesNotContain("outside", names);
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Mutations_ThroughLinksToOutside_NeverTouchTheOutside(bool kernel)
    {
        using var fileSystem = Create(kernel);
        fileSystem.CreateSymbolicLink("/out", _outside);
        fileSystem.CreateSymbolicLink("/secret", _secretFile);
        var modeBefore = File.GetUnixFileMode(_secretFile);

        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.Open("/out/new.txt", PythonOpenFlags.Write | PythonOpenFlags.Create).Dispose());
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.DeleteFile("/out/secret.txt"));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.Rename("/out/secret.txt", "/stolen"));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.SetMode("/secret", 0x1FF));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.SetTimes("/secret", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.CreateDirectory("/out/newdir"));

        Assert.Equal([_secretFile], Directory.GetFileSystemEntries(_outside));
        Assert.Equal(Secret, File.ReadAllText(_secretFile));
        Assert.Equal(modeBefore, File.GetUnixFileMode(_secretFile));
        Assert.NotEqual(DateTime.UnixEpoch, File.GetLastWriteTimeUtc(_secretFile));
    }

    [Fact]
    public void CreateHardLink_ThroughLinksToOutside_NeverNamesAnOutsideFile()
    {
        using var fileSystem = Create(kernel: true);
        if (!fileSystem.IsResolvedByKernel)
        {
            return; // hard links need the kernel's resolution inside the root
        }

        fileSystem.CreateSymbolicLink("/out", _outside);
        fileSystem.CreateSymbolicLink("/secret", _secretFile);
        fileSystem.CreateSymbolicLink("/up", "../outside/secret.txt");

        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.CreateHardLink("/out/secret.txt", "/stolen"));
        ErrnoAssert.Throws(Errno.ENOENT, () => fileSystem.CreateHardLink("/nothing", "/out/planted"));

        // A link to a link names the link itself: reading the new name resolves inside the root, where nothing is.
        fileSystem.CreateHardLink("/secret", "/second");
        fileSystem.CreateHardLink("/up", "/third");
        Assert.Equal(PythonFileKind.SymbolicLink, fileSystem.GetStatus("/second", followSymbolicLinks: false)!.Kind);
        Assert.Null(fileSystem.GetStatus("/second"));
        Assert.Null(fileSystem.GetStatus("/third"));
        Assert.Null(fileSystem.GetStatus("/stolen", followSymbolicLinks: false));

        Assert.Equal([_secretFile], Directory.GetFileSystemEntries(_outside));
        Assert.Equal(Secret, File.ReadAllText(_secretFile));
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Open_CreateThroughDanglingAbsoluteLink_CreatesInsideTheRoot(bool kernel)
    {
        using var fileSystem = Create(kernel);
        var target = Path.Combine(_outside, "created.txt");
        Directory.CreateDirectory(Path.Join(_root, _outside));
        fileSystem.CreateSymbolicLink("/dangling", target);

        fileSystem.WriteText("/dangling", "written");

        Assert.False(File.Exists(target));
        Assert.Equal("written", File.ReadAllText(Path.Join(_root, target)));
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void GetHostPath_LinkToOutside_MapsInsideTheRoot(bool kernel)
    {
        using var fileSystem = Create(kernel);
        fileSystem.CreateDirectory("/work");
        fileSystem.CreateSymbolicLink("/away", _outside);
        fileSystem.CreateSymbolicLink("/back", "../../work");

        Assert.Equal(Path.Join(fileSystem.HostRoot, "work"), fileSystem.GetHostPath("/back"));
        Assert.StartsWith(fileSystem.HostRoot + "/", fileSystem.GetHostPath("/away"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Operations_PathsThatAreNotNormalised_AreRejected(bool kernel)
    {
        using var fileSystem = Create(kernel);

        Assert.Throws<ArgumentException>(() => fileSystem.Open("/../outside/secret.txt", PythonOpenFlags.Read));
        Assert.Throws<ArgumentException>(() => fileSystem.GetStatus("relative"));
        Assert.Throws<ArgumentException>(() => fileSystem.ReadDirectory("/a/./b"));
    }

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Resolution_LinkCycle_ThrowsEloop(bool kernel)
    {
        using var fileSystem = Create(kernel);
        fileSystem.CreateSymbolicLink("/a", "b");
        fileSystem.CreateSymbolicLink("/b", "a");

        ErrnoAssert.Throws(Errno.ELOOP, () => fileSystem.Open("/a", PythonOpenFlags.Read));
    }

    [Fact]
    public async Task Open_LinkSwappedDuringStatAndOpen_NeverReadsOutsideTheRoot()
    {
        using var fileSystem = Create(kernel: true);
        Assert.True(fileSystem.IsResolvedByKernel);
        File.WriteAllText(Path.Combine(_outside, "listed-secret-name"), Secret);
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(() => Swap(stop.Token));

        // Race for at least 1.5 s, and on until both a read and a listing succeeded (at most 10 s on a busy machine).
        var reads = 0;
        var listings = 0;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(10) && (elapsed.Elapsed < TimeSpan.FromSeconds(1.5) || reads == 0 || listings == 0))
        {
            try
            {
                if (fileSystem.GetStatus("/swap") is { Kind: PythonFileKind.File })
                {
                    var text = fileSystem.ReadText("/swap");
                    Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
                    reads++;
                }
            }
            catch (FileNotFoundException)
            {
            }

            try
            {
                var names = fileSystem.ReadDirectory("/swapdir").Select(e => e.Name);
                Assert.DoesNotContain("listed-secret-name", names);
                listings++;
            }
            catch (Exception e) when (e is DirectoryNotFoundException or PythonIOException)
            {
            }
        }

        await stop.CancelAsync();
        await swapper;
        Assert.True(reads > 0, "the file was never read");
        Assert.True(listings > 0, "the directory was never listed");
    }

    private void Swap(CancellationToken token)
    {
        var swap = Path.Combine(_root, "swap");
        var swapDirectory = Path.Combine(_root, "swapdir");
        var staging = Path.Combine(_root, "staging");
        Directory.CreateDirectory(staging);
        var flip = false;
        while (!token.IsCancellationRequested)
        {
            flip = !flip;

            // rename(2) replaces the name atomically, so the entry is always either a file or a link.
            var next = Path.Combine(staging, "next");
            if (flip)
            {
                File.CreateSymbolicLink(next, _secretFile);
            }
            else
            {
                File.WriteAllText(next, "inside");
            }

            File.Move(next, swap, overwrite: true);

            if (flip)
            {
                if (Directory.Exists(swapDirectory) && new DirectoryInfo(swapDirectory).LinkTarget is null)
                {
                    Directory.Delete(swapDirectory, recursive: true);
                }

                Directory.CreateSymbolicLink(swapDirectory, _outside);
            }
            else
            {
                File.Delete(swapDirectory);
                Directory.CreateDirectory(Path.Combine(swapDirectory, "inside-name"));
            }
        }
    }

    private PhysicalPythonFileSystem Create(bool kernel) => new(_root, preferKernelResolution: kernel);
}
