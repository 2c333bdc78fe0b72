using System.Globalization;
using PyHosting.Testing;
using Xunit.Abstractions;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// <c>MemoryLimit</c> = 64 MiB, an in-memory mount whose own quota (1 GiB) is far above it, and <c>/bin/cat</c>
/// as the one program a child may run: every .NET-side buffer Python fills must end at the limit.
/// </summary>
public sealed class MemoryLimitFixture : TestHostFixture
{
    public const long Limit = 64L << 20;

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:MemoryLimit"] = Limit.ToString(CultureInfo.InvariantCulture),
        ["PythonRuntime:Permissions:IO"] = "All",
        ["PythonRuntime:Permissions:CreateProcess"] = "true",
        ["PythonRuntime:Processes:AllowedExecutables:0"] = "/bin/cat",
        ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/mem",
        ["PythonRuntime:FileSystem:Mounts:0:InMemory"] = "true",
        ["PythonRuntime:FileSystem:Mounts:0:MaxBytes"] = (1L << 30).ToString(CultureInfo.InvariantCulture),
        ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/host",
        ["PythonRuntime:FileSystem:Mounts:1:HostPath"] = Root,

        // The lines Python prints are not kept by the test host's log capture, so that only the runtime's own buffers count.
        ["Logging:LogLevel:PyHosting.Python"] = "None",
    };

    /// <summary>A 2 GiB file that takes no disk space: reading it whole is the attack.</summary>
    protected override void Prepare()
    {
        using var sparse = File.Create(Path.Combine(Root, "huge.py"));
        sparse.SetLength(2L << 30);
    }
}

/// <summary>
/// Issue class 7: a buffer Python fills on the .NET side is bounded by its capacity per write and counted
/// against <c>PythonRuntime:MemoryLimit</c>. Each case tries to grow one kind of buffer far past the limit; the
/// call must end in the expected Python exception (or complete, for buffers that are passed on as they fill),
/// and the TestHost's peak resident size (<c>VmHWM</c>) may grow by at most the limit plus a fixed allowance.
/// </summary>
public sealed class BufferBoundTests(MemoryLimitFixture fixture, ITestOutputHelper output) : IClassFixture<MemoryLimitFixture>
{
    /// <summary>What the .NET runtime, the interpreter and the test host may add besides the counted bytes.</summary>
    private const long Allowance = 128L << 20;

    /// <summary>Each kind of buffer, the code that tries to grow it past the limit, and how the call must end.</summary>
    public static TheoryData<string, string, string> Buffers => new()
    {
        // os.pipe: each pipe holds up to its capacity; many full pipes reach the limit.
        { "pipes filled to capacity", "import os\nb = b'x' * (1 << 20)\npipes = []\nwhile True:\n    r, w = os.pipe()\n    pipes.append((r, w))\n    os.write(w, b)", "errno 12" },

        // os.pipe: one write far larger than the capacity copies what fits, then waits for a reader that never comes.
        { "one huge write to a pipe", "import os\nr, w = os.pipe()\nos.write(w, b'x' * (40 << 20))", "interrupted" },

        // A child's standard input: Python's writes go through a pipe the runtime drains into the child.
        { "child stdin", "import subprocess\nfor _ in range(6):\n    p = subprocess.Popen(['/bin/cat'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)\n    p.stdin.write(b'x' * (40 << 20))\n    p.stdin.close()\n    p.wait()", "ok" },

        // sys.stdout without a newline: the line waiting for the logger.
        { "print without newline", "s = 'x' * (40 << 20)\nfor _ in range(6):\n    print(s, end='')", "ok" },

        // os.write on descriptor 1: decoded for the logger.
        { "os.write to stdout", "import os\nb = b'x' * (40 << 20)\nfor _ in range(6):\n    os.write(1, b)", "ok" },

        // The runtime's environment: putenv keeps names and values in .NET.
        { "putenv", "import os\nv = 'x' * (1 << 20)\ni = 0\nwhile True:\n    os.putenv('V%d' % i, v)\n    i += 1", "errno 12" },

        // An in-memory mount whose own quota is far above the limit: its contents are .NET memory.
        { "in-memory file", "b = b'x' * (1 << 20)\nwith open('/mem/blob', 'wb') as f:\n    while True:\n        f.write(b)", "errno 28" },
        { "in-memory files", "import itertools\nb = b'x' * (1 << 20)\nfor i in itertools.count():\n    with open('/mem/f%d' % i, 'wb') as f:\n        f.write(b)", "errno 28" },
        // A child's arguments and environment are copied into .NET to start it: too long for any program is E2BIG first.
        { "child arguments", "import subprocess\nv = 'x' * (1 << 20)\nsubprocess.run(['/bin/cat'] + [v] * 60)", "errno 7" },
        { "child environment", "import subprocess\nv = 'x' * (1 << 20)\nsubprocess.run(['/bin/cat'], env={'V%d' % i: v for i in range(8)})", "errno 7" },
        { "os.system command", "import os\nos.system('x' * (40 << 20))", "errno 7" },

        // io.open_code (the import system's reader) reads a whole file into .NET before Python gets it.
        { "io.open_code of a huge file", "import io\nio.open_code('/host/huge.py')", "errno 12" },
        { "in-memory truncate", "import os\nopen('/mem/sparse', 'wb').close()\nos.truncate('/mem/sparse', 900 << 20)", "errno 28" },
    };

    [Theory]
    [MemberData(nameof(Buffers))]
    public async Task Buffer_EndsAtTheMemoryLimit_AndTheHostStaysBounded(string kind, string code, string expected)
    {
        var baseline = ResetPeak();
        PythonResponse response;
        try
        {
            response = await fixture.Python.ExecAsync(code, timeoutMs: expected == "interrupted" ? 3000 : null);
        }
        finally
        {
            // What the case created is released, so that the next case starts from the same state: the pipes
            // first, by a call small enough to compile in what a full memory limit leaves.
            await fixture.Python.ExecAsync("import os\nos.closerange(3, 1024)");
            await fixture.Python.ExecAsync("for n in [n for n in globals() if not n.startswith('__')]:\n    del globals()[n]\nimport os\nfor n in os.listdir('/mem'):\n    os.remove('/mem/' + n)\nos.closerange(3, 1024)\nfor i in range(4096):\n    os.unsetenv('V%d' % i)");
        }

        var peak = Status("VmHWM");
        output.WriteLine($"{kind}: peak resident size {peak >> 20} MiB, {(peak - baseline) >> 20} MiB above {baseline >> 20} MiB; {response.PythonType ?? response.Type ?? "no exception"}");
        switch (expected)
        {
            case "ok":
                Assert.True(response.Ok, $"{kind}: {response}");
                break;
            case "interrupted":
                Assert.Equal("OperationCanceledException", response.Type);
                break;
            default:
                Assert.False(response.Ok, $"{kind} succeeded");
                Assert.StartsWith($"[Errno {expected.Split(' ')[1]}]", response.PythonMessage, StringComparison.Ordinal);
                break;
        }

        Assert.True(
            peak - baseline < MemoryLimitFixture.Limit + Allowance,
            $"{kind}: the host's resident size grew by {(peak - baseline) >> 20} MiB (from {baseline >> 20} MiB), more than the limit ({MemoryLimitFixture.Limit >> 20} MiB) and {Allowance >> 20} MiB");
        await fixture.AssertAliveAsync();
        Assert.True((await fixture.Python.ExecAsync("x = bytearray(16 << 20)\ndel x")).Ok, $"{kind}: memory was not given back");
    }

    /// <summary>Resets the TestHost's peak resident size to its current one (<c>clear_refs</c> 5) and returns it.</summary>
    private long ResetPeak()
    {
        File.WriteAllText($"/proc/{fixture.Python.ProcessId}/clear_refs", "5");
        return Status("VmHWM");
    }

    /// <summary>A size line of the TestHost's <c>/proc/&lt;pid&gt;/status</c>, in bytes.</summary>
    private long Status(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{fixture.Python.ProcessId}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{fixture.Python.ProcessId}/status has no {field}");
    }
}
