namespace PyHosting.Providers.Tests.FileSystem;

public sealed class PythonPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("//a///b/", "/a/b")]
    [InlineData("/a/./b/.", "/a/b")]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/../../x", "/x")]
    [InlineData("/a/..", "/")]
    public void Normalize_AbsolutePaths_ResolvesDotsAndSlashes(string path, string expected)
    {
        Assert.Equal(expected, PythonPath.Normalize(path));
        Assert.True(PythonPath.IsNormalized(expected));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative")]
    [InlineData("/a\0b")]
    public void Normalize_InvalidPaths_Throw(string path)
    {
        Assert.Throws<ArgumentException>(() => PythonPath.Normalize(path));
    }

    [Theory]
    [InlineData("/a/", false)]
    [InlineData("/a//b", false)]
    [InlineData("/a/../b", false)]
    [InlineData("/.", false)]
    [InlineData("a", false)]
    [InlineData("/a b/c.txt", true)]
    [InlineData("/", true)]
    [InlineData("//", false)]
    [InlineData("/a/.", false)]
    [InlineData("/a/..", false)]
    [InlineData("/../a", false)]
    [InlineData("/.a/..b/...", true)]
    [InlineData("/a/b\0", false)]
    [InlineData("/\0", false)]
    public void IsNormalized_DetectsNonCanonicalForms(string path, bool expected)
    {
        Assert.Equal(expected, PythonPath.IsNormalized(path));
    }

    [Fact]
    public void SplitAndCombine_AreInverse()
    {
        Assert.Null(PythonPath.GetParent("/"));
        Assert.Equal("/", PythonPath.GetParent("/a"));
        Assert.Equal("/a", PythonPath.GetParent("/a/b"));
        Assert.Equal("b", PythonPath.GetName("/a/b"));
        Assert.Equal(string.Empty, PythonPath.GetName("/"));
        Assert.Equal("/a/b", PythonPath.Combine("/a", "b"));
        Assert.Equal("/b", PythonPath.Combine("/", "b"));
        Assert.Equal(["a", "b"], PythonPath.GetSegments("/a/b"));
        Assert.Throws<ArgumentException>(() => PythonPath.Combine("/a", "b/c"));
        Assert.Throws<ArgumentException>(() => PythonPath.Combine("/a", ".."));
    }

    [Fact]
    public void GetRelative_ReRootsBelowAnAncestor()
    {
        Assert.Equal("/a/b", PythonPath.GetRelative("/mnt", "/mnt/a/b"));
        Assert.Equal("/", PythonPath.GetRelative("/mnt", "/mnt"));
        Assert.Equal("/mnt", PythonPath.GetRelative("/", "/mnt"));
        Assert.False(PythonPath.IsSameOrAncestor("/mnt", "/mnt2/a"));
        Assert.Throws<ArgumentException>(() => PythonPath.GetRelative("/mnt", "/mnt2"));
    }
}
