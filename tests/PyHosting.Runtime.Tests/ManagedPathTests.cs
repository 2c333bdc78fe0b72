using PyHosting.Internal.Managed;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Runtime.Tests;

public class ManagedPathTests
{
    [Theory]
    [InlineData("/", "a", "/a")]
    [InlineData("/work", "a/b", "/work/a/b")]
    [InlineData("/work", "/abs", "/abs")]
    [InlineData("/work", "../x", "/x")]
    [InlineData("/work", "../../../../etc", "/etc")]
    [InlineData("/", "//./..//a/./b/", "/a/b")]
    [InlineData("/a/b", ".", "/a/b")]
    [InlineData("/a/b", "..", "/a")]
    public void Resolve_NormalisesLexicallyAndNeverLeavesTheRoot(string cwd, string path, string expected)
        => Assert.Equal(expected, ManagedPath.Resolve(cwd, path));

    [Fact]
    public void Resolve_EmptyPath_IsEnoent()
    {
        var e = Assert.Throws<PythonIOException>(() => ManagedPath.Resolve("/", string.Empty));
        Assert.Equal(Errno.ENOENT, e.ErrorNumber);
    }

    [Fact]
    public void Resolve_EmbeddedNul_IsValueError()
    {
        var e = Assert.Throws<PythonArgumentException>(() => ManagedPath.Resolve("/", "a\0b"));
        Assert.True(e.IsValueError);
    }

    [Theory]
    [InlineData("/usr/lib/python3.11/os.py", "/usr/lib/python3.11", true)]
    [InlineData("/usr/lib/python3.11", "/usr/lib/python3.11", true)]
    [InlineData("/usr/lib/python3.110/os.py", "/usr/lib/python3.11", false)]
    [InlineData("/usr/lib", "/usr/lib/python3.11", false)]
    [InlineData("/anything", "/", true)]
    public void IsUnder_MatchesWholeSegmentsOnly(string path, string root, bool expected)
        => Assert.Equal(expected, ManagedPath.IsUnder(path, root));

    [Theory]
    [InlineData("/a/b", "/a")]
    [InlineData("/a", "/")]
    [InlineData("/", "/")]
    public void Parent_ReturnsTheContainingDirectory(string path, string expected)
        => Assert.Equal(expected, ManagedPath.Parent(path));
}
