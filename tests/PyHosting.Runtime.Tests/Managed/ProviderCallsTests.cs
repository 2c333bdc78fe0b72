using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests.Managed;

public class ProviderCallsTests
{
    [Theory]
    [InlineData(Errno.EEXIST, "File exists: '/inner'", true)]
    [InlineData(Errno.ENOTEMPTY, "Directory not empty: '/a' -> '/b'", true)]
    [InlineData(Errno.EEXIST, "File exists", false)]
    [InlineData(Errno.ENOSPC, "tenant quota exceeded", false)]
    public void IsStock_RecognisesStrerrorFollowedByDetails(int errno, string message, bool stock)
        => Assert.Equal(stock, ProviderCalls.IsStock(new PythonIOException(errno, message)));

    [Theory]
    [InlineData(typeof(FileNotFoundException), true)]
    [InlineData(typeof(DirectoryNotFoundException), true)]
    [InlineData(typeof(UnauthorizedAccessException), false)]
    public void IsNotFound_CoversTheNotFoundExceptions(Type type, bool expected)
        => Assert.Equal(expected, ProviderCalls.IsNotFound((Exception)Activator.CreateInstance(type)!));

    [Fact]
    public void IsNotFound_CoversEnoent()
    {
        Assert.True(ProviderCalls.IsNotFound(new PythonIOException(Errno.ENOENT, "No such file or directory")));
        Assert.False(ProviderCalls.IsNotFound(new PythonIOException(Errno.ENOTDIR, "Not a directory")));
    }

    [Theory]
    [InlineData(0x12, "0o022")]
    [InlineData(0x3F, "0o077")]
    [InlineData(0x1FF, "0o777")]
    [InlineData(0, "0o000")]
    public void Octal_WritesModesAsPythonDoesInTheReadme(int mode, string expected)
        => Assert.Equal(expected, PosixLog.Octal(mode));
}
