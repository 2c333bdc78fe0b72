using PyHosting.Managed.Tests.TestSupport;
using PyHosting.Providers;

namespace PyHosting.Managed.Tests;

/// <summary><c>open</c> in every mode, over the in-memory provider mounted at <c>/data</c>.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class FileModeTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task TextMode_WritesUtf8AndReadsItBack()
    {
        var name = ManagedRuntimeFixture.Unique("text");
        var text = await fixture.RunAsync<string>($$"""
            with open('/data/{{name}}.txt', 'w', encoding='utf-8') as f:
                f.write('héllo\nwörld\n')
            with open('/data/{{name}}.txt', encoding='utf-8') as f:
                return f.read()
            """);

        Assert.Equal("héllo\nwörld\n", text);
        Assert.Equal("héllo\nwörld\n", ManagedRuntimeFixture.ReadText(fixture.Data, $"/{name}.txt"));
    }

    [Theory]
    [InlineData("latin-1", new byte[] { 0xE9 })]
    [InlineData("utf-16", new byte[] { 0xFF, 0xFE, 0xE9, 0x00 })]
    [InlineData("utf-8", new byte[] { 0xC3, 0xA9 })]
    public async Task Encodings_AreAppliedOnWriteAndRead(string encoding, byte[] expected)
    {
        var name = ManagedRuntimeFixture.Unique("enc");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w', encoding='{{encoding}}') as f:
                f.write('é')
            with open('/data/{{name}}', 'rb') as f:
                raw = f.read()
            with open('/data/{{name}}', encoding='{{encoding}}') as f:
                return [raw, f.read()]
            """);

        Assert.Equal(expected, (byte[])result![0]!);
        Assert.Equal("é", result[1]);
    }

    [Fact]
    public async Task BinaryMode_RoundTripsEveryByte()
    {
        var name = ManagedRuntimeFixture.Unique("bin");
        var data = await fixture.RunAsync<byte[]>($$"""
            with open('/data/{{name}}', 'wb') as f:
                f.write(bytes(range(256)) * 100)
            with open('/data/{{name}}', 'rb') as f:
                return f.read()
            """);

        Assert.Equal(25600, data!.Length);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (byte)i), data.Take(256));
    }

    [Fact]
    public async Task Unbuffered_IsRawFileIOAndWritesImmediately()
    {
        var name = ManagedRuntimeFixture.Unique("raw");
        var result = await fixture.RunAsync<List<object?>>($$"""
            f = open('/data/{{name}}', 'wb', buffering=0)
            f.write(b'abc')
            seen = open('/data/{{name}}', 'rb').read()
            f.close()
            return [type(f).__name__, seen]
            """);

        Assert.Equal("FileIO", result![0]);
        Assert.Equal("abc"u8.ToArray(), (byte[])result[1]!);
    }

    [Fact]
    public async Task Buffered_WritesReachTheProviderOnFlush()
    {
        var name = ManagedRuntimeFixture.Unique("buf");
        var result = await fixture.RunAsync<List<object?>>($$"""
            f = open('/data/{{name}}', 'wb')
            f.write(b'xyz')
            before = open('/data/{{name}}', 'rb').read()
            f.flush()
            after = open('/data/{{name}}', 'rb').read()
            f.close()
            return [type(f).__name__, before, after]
            """);

        Assert.Equal("BufferedWriter", result![0]);
        Assert.Empty((byte[])result[1]!);
        Assert.Equal("xyz"u8.ToArray(), (byte[])result[2]!);
    }

    [Fact]
    public async Task Append_WritesAtTheEndWhateverThePosition()
    {
        var name = ManagedRuntimeFixture.Unique("app");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w') as f:
                f.write('abc')
            with open('/data/{{name}}', 'a') as f:
                f.write('d')
                told = f.tell()
            with open('/data/{{name}}', 'a+') as f:
                f.seek(0)
                head = f.read(1)
                f.write('e')
            return [told, head, open('/data/{{name}}').read()]
            """);

        Assert.Equal([4L, "a", "abcde"], result!);
    }

    [Fact]
    public async Task ExclusiveCreate_FailsWithFileExistsError()
    {
        var name = ManagedRuntimeFixture.Unique("excl");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'x') as f:
                f.write('first')
            try:
                open('/data/{{name}}', 'x')
            except FileExistsError as e:
                return [e.errno, e.filename, open('/data/{{name}}').read()]
            """);

        Assert.Equal([17L, $"/data/{name}", "first"], result!);
    }

    [Fact]
    public async Task ReadPlus_SeeksWritesInPlaceAndTruncates()
    {
        var name = ManagedRuntimeFixture.Unique("rplus");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w') as f:
                f.write('0123456789')
            with open('/data/{{name}}', 'r+') as f:
                f.seek(3)
                f.write('X')
                f.seek(0)
                whole = f.read()
                f.seek(5)
                cut = f.truncate()
                position = f.tell()
            return [whole, cut, position, open('/data/{{name}}').read()]
            """);

        Assert.Equal(["012X456789", 5L, 5L, "012X4"], result!);
    }

    [Fact]
    public async Task WritePlusBinary_SeekFromEndTellAndTruncateToSize()
    {
        var name = ManagedRuntimeFixture.Unique("wplus");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w+b') as f:
                f.write(b'hello world')
                f.seek(-5, 2)
                tail = f.read()
                end = f.tell()
                f.truncate(4)
                f.seek(0)
                rest = f.read()
                return [tail, end, rest, f.mode]
            """);

        Assert.Equal("world"u8.ToArray(), (byte[])result![0]!);
        Assert.Equal(11L, result[1]);
        Assert.Equal("hell"u8.ToArray(), (byte[])result[2]!);
        Assert.Equal("rb+", result[3]);
    }

    [Fact]
    public async Task Newlines_AreTranslatedAsRequested()
    {
        var name = ManagedRuntimeFixture.Unique("nl");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w', newline='\r\n') as f:
                f.write('a\nb\n')
            return [open('/data/{{name}}', 'rb').read(), open('/data/{{name}}').read(), open('/data/{{name}}', newline='').read()]
            """);

        Assert.Equal("a\r\nb\r\n"u8.ToArray(), (byte[])result![0]!);
        Assert.Equal("a\nb\n", result[1]);
        Assert.Equal("a\r\nb\r\n", result[2]);
    }

    [Fact]
    public async Task Readlines_IterationAndReadlineWorkOverTheProvider()
    {
        var name = ManagedRuntimeFixture.Unique("lines");
        var result = await fixture.RunAsync<List<object?>>($$"""
            with open('/data/{{name}}', 'w') as f:
                f.writelines(f'line {i}\n' for i in range(1000))
            with open('/data/{{name}}') as f:
                first = f.readline()
                count = 1 + sum(1 for _ in f)
            return [first, count, len(open('/data/{{name}}').readlines())]
            """);

        Assert.Equal(["line 0\n", 1000L, 1000L], result!);
    }

    [Fact]
    public async Task OpeningADirectory_IsIsADirectoryError()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            try:
                open('/data')
            except IsADirectoryError as e:
                return [e.errno, e.filename]
            """);

        Assert.Equal([21L, "/data"], result!);
    }

    [Fact]
    public async Task OpeningAMissingFile_IsFileNotFoundErrorWithThePythonPath()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            try:
                open('/data/no/such/file')
            except FileNotFoundError as e:
                return [e.errno, e.filename, str(e)]
            """);

        Assert.Equal([2L, "/data/no/such/file", "[Errno 2] No such file or directory: '/data/no/such/file'"], result!);
    }

    [Fact]
    public async Task CreatedFiles_HaveTheModeAfterTheDefaultUmask()
    {
        var name = ManagedRuntimeFixture.Unique("mode");
        await fixture.RunAsync<object>($"open('/data/{name}', 'w').close()");

        Assert.Equal(0x1A4, fixture.Data.GetStatus($"/{name}")!.Mode); // 0o666 & ~0o022
    }

    [Fact]
    public async Task FilesOnThePhysicalMount_AreRealHostFiles()
    {
        var name = ManagedRuntimeFixture.Unique("phys");
        var result = await fixture.RunAsync<string>($$"""
            with open('/host/{{name}}.txt', 'w') as f:
                f.write('on the host')
            with open('/host/{{name}}.txt', 'a') as f:
                f.write('!')
            return open('/host/{{name}}.txt').read()
            """);

        Assert.Equal("on the host!", result);
        Assert.Equal("on the host!", File.ReadAllText(Path.Combine(fixture.HostDirectory, name + ".txt")));
    }

    [Fact]
    public async Task WritingUnderThePythonHome_IsReadOnlyFileSystem()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import os
            try:
                open(os.__file__, 'a')
            except OSError as e:
                return [e.errno, e.filename == os.__file__]
            """);

        Assert.Equal([(long)Errno.EROFS, true], result!);
    }

    [Fact]
    public async Task InvalidModesAndDescriptors_AreRejectedAsByCPython()
    {
        var result = await fixture.RunAsync<string>("""
            import io
            out = []
            for mode in ('rw', 'rbt', 'z', 'rr', 'x+b+'):
                try:
                    open('/data/never-created', mode)
                except ValueError as e:
                    out.append(mode + ': ' + str(e))
            try:
                io.FileIO(999)
            except OSError as e:
                out.append(f'fd 999: errno {e.errno}')
            try:
                open('/data/never-created', 'rb', encoding='utf-8')
            except ValueError as e:
                out.append(str(e))
            return '\n'.join(out)
            """);

        Assert.Equal(
            """
            rw: Must have exactly one of create/read/write/append mode and at most one plus
            rbt: can't have text and binary mode at once
            z: invalid mode: 'z'
            rr: invalid mode: 'rr'
            x+b+: invalid mode: 'x+b+'
            fd 999: errno 9
            binary mode doesn't take an encoding argument
            """,
            result);
    }
}
