using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary><c>truncate</c> and <c>os.ftruncate</c> change the size, never the position, as POSIX's <c>ftruncate</c> does, on every kind of provider.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class TruncateTests(ManagedRuntimeFixture fixture)
{
    [Theory]
    [InlineData("/data", "open(path, 'w+b', buffering=0)")]
    [InlineData("/host", "open(path, 'w+b', buffering=0)")]
    [InlineData("/data", "open(path, 'w+b')")]
    [InlineData("/host", "open(path, 'w+b')")]
    [InlineData("/data", "__import__('io').FileIO(path, 'w+')")]
    public async Task Truncate_KeepsThePosition_AndAWriteAfterItFillsTheGapWithZeros(string mount, string opener)
    {
        var path = $"{mount}/{ManagedRuntimeFixture.Unique("truncate")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            path = '{{path}}'
            with {{opener}} as f:
                f.write(b'0123456789')
                size = f.truncate(4)
                after_truncate = f.tell()
                f.write(b'x')
                after_write = f.tell()
            with open(path, 'rb') as f:
                content = f.read()
            return [size, after_truncate, after_write, content]
            """);

        Assert.Equal(new List<object?> { 4L, 10L, 11L, "0123\0\0\0\0\0\0x"u8.ToArray() }, result);
    }

    [Fact]
    public async Task OsFtruncate_KeepsTheDescriptorsOffset()
    {
        var path = $"/data/{ManagedRuntimeFixture.Unique("ftruncate")}";
        var result = await fixture.RunAsync<List<object?>>($$"""
            import os
            fd = os.open('{{path}}', os.O_RDWR | os.O_CREAT)
            try:
                os.write(fd, b'abcdef')
                os.ftruncate(fd, 2)
                offset = os.lseek(fd, 0, os.SEEK_CUR)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            return [offset, size]
            """);

        Assert.Equal(new List<object?> { 6L, 2L }, result);
    }
}
