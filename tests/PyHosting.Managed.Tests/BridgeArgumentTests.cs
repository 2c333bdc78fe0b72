using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// Bridge functions bind every call to their declared parameters before any .NET code runs, and read arguments
/// with exact checks: wrong calls are the Python errors CPython would raise, never a null or foreign pointer
/// handed to the C API (these calls used to end the host).
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class BridgeArgumentTests(ManagedRuntimeFixture fixture)
{
    public static TheoryData<string, string, string> WrongCalls => new()
    {
        { "import os\nos.write(1)", "TypeError", "write() missing required argument 'data' (pos 2)" },
        { "import os\nos.readinto(0)", "TypeError", "readinto() missing required argument 'buffer' (pos 2)" },
        { "import os\nos.pwrite(0, offset=0)", "TypeError", "pwrite() got some positional-only arguments passed as keyword arguments: 'offset'" },
        { "import os\nos.pwrite(0)", "TypeError", "pwrite() missing required argument 'str' (pos 2)" },
        { "import os\nos.write(1, b'x', b'y')", "TypeError", "write() takes at most 2 positional arguments (3 given)" },
        { "import os\nos.stat('/', bogus=1)", "TypeError", "stat() got an unexpected keyword argument 'bogus'" },
        { "import os\nos.open('/x', 0, path='/y')", "TypeError", "argument for open() given by name ('path') and position (1)" },
        { "import os\nos.write(1, 'text')", "TypeError", "a bytes-like object is required, not 'str'" },
        { "import os\nb = memoryview(b'x')\nb.release()\nos.write(1, b)", "ValueError", "operation forbidden on released memoryview object" },
        { "import os\nos.readinto(0, memoryview(bytearray(4))[::2])", "BufferError", "memoryview: underlying buffer is not C-contiguous" },
        { "import os\nos.stat('a\\0b')", "ValueError", "path: embedded null byte" },
        { "import datetime\ndatetime.datetime.__dict__['now'].__func__()", "TypeError", "now() missing required argument 'cls' (pos 1)" },
        { "import datetime\ndatetime.datetime.__dict__['utcnow'].__func__(int)", "TypeError", "datetime.utcnow() needs a subtype of datetime.datetime, not type" },
        { "import datetime\ndatetime.datetime.__dict__['now'].__func__(object())", "TypeError", "datetime.now() needs a subtype of datetime.datetime, not object" },
        { "import time\ntime.time(1)", "TypeError", "time() takes no positional arguments (1 given)" },
        { "import time\ntime.sleep()", "TypeError", "sleep() missing required argument 'secs' (pos 1)" },
        { "import select\nselect.select([], [])", "TypeError", "select() missing required argument 'xlist' (pos 3)" },
        { "import select\nclass F:\n    def fileno(self):\n        return 2 ** 200\nselect.select([F()], [], [], 0)", "ValueError", "fd: integer out of range" },
        { "import os\nos.utime('/', times=(object(), 0))", "TypeError", "times: an integer is required, not object" },
        { "import sys\nsys.stdout._write(None, 'x')", "TypeError", "write() fd must be 1 or 2" },
    };

    [Theory]
    [MemberData(nameof(WrongCalls))]
    public async Task WrongCall_RaisesThePythonError(string code, string type, string message)
    {
        var body = "try:\n" + Indent(code) + "\nexcept BaseException as e:\n    return [type(e).__name__, str(e)]\nreturn ['no error', '']";

        var result = await fixture.RunAsync<List<object?>>(body);

        Assert.Equal([type, message], result!.Cast<string>());
    }

    [Fact]
    public async Task BridgeFunctions_ShowTheirSignature()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import inspect, os, time
            return [str(inspect.signature(f)) for f in (os.write, os.stat, time.sleep)]
            """);

        Assert.Equal(["(fd, data, /)", "(path, *, dir_fd=None, follow_symlinks=True)", "(secs, /)"], result!.Cast<string>());
    }

    private static string Indent(string code) => string.Join('\n', code.Split('\n').Select(static l => "    " + l));
}
