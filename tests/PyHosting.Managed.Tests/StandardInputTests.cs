using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>The runtime has no console: standard input is empty, and shaped like CPython's (a text stream with a binary buffer).</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class StandardInputTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task StandardInput_IsAnEmptyTextStream_WithABinaryBuffer()
    {
        var result = await fixture.RunAsync<List<object?>>("""
            import io, sys
            try:
                input()
                eof = False
            except EOFError:
                eof = True
            return [isinstance(sys.stdin, io.TextIOBase), sys.stdin.read(), sys.stdin.buffer.read(), sys.stdin.readable(), eof]
            """);

        Assert.Equal(new List<object?> { true, string.Empty, Array.Empty<byte>(), true, true }, result);
    }

    [Fact]
    public async Task ArgparseFileTypeOfDash_ReadsTheEmptyBinaryInput()
    {
        var result = await fixture.RunAsync<byte[]>("""
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument('source', type=argparse.FileType('rb'))
            return parser.parse_args(['-']).source.read()
            """);

        Assert.Equal(Array.Empty<byte>(), result);
    }
}
