using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// IO=ReadOnly over a physical mount that is not read-only itself (<c>/data</c>), so that the permission alone
/// must refuse each mutation (HOSTILE.md family 2), and the physical provider must hold against traversal and
/// symbolic links once reading is allowed (family 5).
/// </summary>
public sealed class ReadOnlyFileSystemFixture : TestHostFixture
{
    public const string Secret = "TOP-SECRET-OUTSIDE-7d2e";

    public string Mount => Path.Combine(Root, "mount");

    public string Outside => Path.Combine(Root, "outside");

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:IO"] = "ReadOnly",
        ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/data",
        ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = Mount,
        ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/tmp",
        ["PythonRuntime:FileSystem:Mounts:1:InMemory"] = "true",
    };

    protected override void Prepare()
    {
        Directory.CreateDirectory(Path.Combine(Mount, "sub", "deeper"));
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Mount, "readable.txt"), "readable\n");
        File.WriteAllText(Path.Combine(Mount, "sub", "a.txt"), "a\n");
        File.WriteAllText(Path.Combine(Outside, "host-only.txt"), Secret + "\n");
        File.CreateSymbolicLink(Path.Combine(Mount, "escape"), "../outside");
        File.CreateSymbolicLink(Path.Combine(Mount, "absolute-escape"), Outside);
        File.CreateSymbolicLink(Path.Combine(Mount, "etc"), "/etc");
        File.WriteAllText(Path.Combine(Mount, "swap"), "benign\n");
    }
}

public sealed class ReadOnlyFileSystemTests(ReadOnlyFileSystemFixture fixture) : IClassFixture<ReadOnlyFileSystemFixture>
{
    private const string Key = "PythonRuntime:Permissions:IO is ReadOnly";

    public static TheoryData<string, string> Mutations => new()
    {
        { "open for writing", "open('/data/readable.txt', 'w')" },
        { "open for appending", "open('/data/readable.txt', 'a').write('x')" },
        { "open exclusive", "open('/data/new.txt', 'x')" },
        { "open for update", "open('/data/readable.txt', 'r+').write('x')" },
        { "os.open O_CREAT", "import os\nos.open('/data/new.txt', os.O_CREAT | os.O_WRONLY)" },
        { "os.open O_TRUNC", "import os\nos.open('/data/readable.txt', os.O_WRONLY | os.O_TRUNC)" },
        { "mkdir", "import os\nos.mkdir('/data/newdir')" },
        { "makedirs", "import os\nos.makedirs('/data/sub/x/y')" },
        { "rename", "import os\nos.rename('/data/readable.txt', '/data/renamed.txt')" },
        { "replace", "import os\nos.replace('/data/sub/a.txt', '/data/readable.txt')" },
        { "remove", "import os\nos.remove('/data/readable.txt')" },
        { "rmdir", "import os\nos.rmdir('/data/sub/deeper')" },
        { "chmod", "import os\nos.chmod('/data/readable.txt', 0o777)" },
        { "utime", "import os\nos.utime('/data/readable.txt', (0, 0))" },
        { "truncate", "import os\nos.truncate('/data/readable.txt', 0)" },
        { "rmtree", "import shutil\nshutil.rmtree('/data/sub')" },
        { "mkstemp in the mount", "import tempfile\ntempfile.mkstemp(dir='/data')" },
        { "mkstemp in memory", "import tempfile\ntempfile.mkstemp(dir='/tmp')" },
        { "symlink", "import os\nos.symlink('/etc/passwd', '/data/link')" },
        { "link", "import os\nos.link('/data/readable.txt', '/data/hard.txt')" },
        { "link through a link out of the mount", "import os\nos.link('/data/escape/host-only.txt', '/data/stolen.txt')" },
        { "pathlib write_text", "import pathlib\npathlib.Path('/data/readable.txt').write_text('x')" },
        { "shutil.copy", "import shutil\nshutil.copy('/data/readable.txt', '/data/copy.txt')" },
        { "shutil.move", "import shutil\nshutil.move('/data/sub/a.txt', '/data/moved.txt')" },
        { "chown to the runtime's own ids", "import os\nos.chown('/data/readable.txt', -1, -1)" },
        { "unlink through dir_fd", "import os\nfd = os.open('/data/sub', os.O_RDONLY)\nos.unlink('a.txt', dir_fd=fd)" },
        { "mkdir through dir_fd", "import os\nfd = os.open('/data/sub', os.O_RDONLY)\nos.mkdir('made', dir_fd=fd)" },
        { "open O_CREAT through dir_fd", "import os\nfd = os.open('/data', os.O_RDONLY)\nos.open('new.txt', os.O_CREAT | os.O_WRONLY, dir_fd=fd)" },
        { "rename through dir_fd", "import os\nfd = os.open('/data', os.O_RDONLY)\nos.rename('readable.txt', 'r.txt', src_dir_fd=fd, dst_dir_fd=fd)" },
        { "fwalk and unlink", "import os\nfor top, dirs, files, fd in os.fwalk('/data/sub'):\n    [os.unlink(f, dir_fd=fd) for f in files]" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Mutation_IsRefusedNamingTheKey_AndTheMountIsUnchanged(string what, string code)
    {
        var before = HostState.SnapshotFiles([fixture.Root]);

        var response = await fixture.Python.ExecAsync(code);

        Assert.False(response.Ok, $"{what} succeeded");
        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains(Key, response.PythonMessage, StringComparison.Ordinal);
        Assert.Equal(before, HostState.SnapshotFiles([fixture.Root]));
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task Reading_IsAllowed()
    {
        Assert.Equal("readable\n", (await fixture.Python.EvalAsync("open('/data/readable.txt').read()")).GetResult<string>());
        Assert.Equal(["a.txt", "deeper"], (await fixture.Python.EvalAsync("sorted(__import__('os').listdir('/data/sub'))")).GetResult<string[]>()!);
    }

    [Theory]
    [InlineData("/data/escape/host-only.txt")]
    [InlineData("/data/absolute-escape/host-only.txt")]
    [InlineData("/data/etc/passwd")]
    [InlineData("/data/../outside/host-only.txt")]
    [InlineData("/data/sub/../../etc/passwd")]
    [InlineData("//./data/./../../etc//passwd")]
    [InlineData("/usr/lib/python3.11/../../../etc/passwd")]
    public async Task Escape_FromTheMount_ReadsNothingOutside(string path)
    {
        var literal = Internal.PythonRuntime.PythonLiteral(path);
        foreach (var read in new[] { $"open({literal}).read()", $"__import__('pathlib').Path({literal}).read_bytes()", $"(lambda os: os.read(os.open({literal}, 0), 4096))(__import__('os'))" })
        {
            var response = await fixture.Python.EvalAsync(read);

            Assert.False(response.Ok, $"{read} returned {response.Result}");
            Assert.DoesNotContain(ReadOnlyFileSystemFixture.Secret, response.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("root:", response.ToString(), StringComparison.Ordinal);
        }

        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task SymbolicLinkSwappedBetweenCheckAndUse_NeverServesTheTarget()
    {
        var swap = Path.Combine(fixture.Mount, "swap");
        var benign = Path.Combine(fixture.Root, "swap-benign");
        var link = Path.Combine(fixture.Root, "swap-link");
        using var stop = new CancellationTokenSource();
        var flipper = Task.Run(() =>
        {
            var flips = 0;
            while (!stop.IsCancellationRequested)
            {
                // Both are prepared beside the mount and renamed over "swap" atomically.
                if (flips++ % 2 == 0)
                {
                    File.WriteAllText(benign, "benign\n");
                    File.Move(benign, swap, overwrite: true);
                }
                else
                {
                    File.Delete(link);
                    File.CreateSymbolicLink(link, Path.Combine(fixture.Outside, "host-only.txt"));
                    File.Move(link, swap, overwrite: true);
                }
            }

            return flips;
        });

        var response = await fixture.Python.ExecAsync("""
            def _swap_reads():
                leaked = benign = failed = 0
                for _ in range(3000):
                    try:
                        with open('/data/swap') as f:
                            data = f.read()
                    except OSError:
                        failed += 1
                        continue
                    leaked += 'TOP-SECRET' in data
                    benign += data == 'benign\n'
                return [leaked, benign, failed]
            swap_result = _swap_reads()
            """);
        stop.Cancel();
        var flips = await flipper;

        response.EnsureOk();
        var result = (await fixture.Python.EvalAsync("swap_result")).GetResult<int[]>()!;
        Assert.True(flips > 10, $"only {flips} swaps happened");
        Assert.Equal(0, result[0]);
        Assert.True(result[1] > 0, "no read saw the regular file");
    }
}
