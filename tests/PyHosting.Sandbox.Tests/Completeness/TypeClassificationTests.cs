using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Sandbox.Tests.Completeness;

/// <summary>The type classifier on its own: an unknown type is never assumed harmless.</summary>
public sealed class TypeClassificationTests
{
    [Theory]
    [InlineData("select", "epoll", false, "Denied")]
    [InlineData("select", "poll", false, "Denied")]
    [InlineData("posix", "ScandirIterator", false, "Denied")]
    [InlineData("_io", "FileIO", false, "Managed")]
    [InlineData("io", "FileIO", false, "Managed")]
    [InlineData("_thread", "lock", false, "Managed")]
    [InlineData("_io", "BytesIO", false, "Pure")]
    [InlineData("_newmodule", "Error", true, "Pure")]
    [InlineData("_newmodule", "device", false, "Unclassified")]
    [InlineData("select", "kqueue", false, "Unclassified")]
    [InlineData("_socket", "socket", false, "Denied")]
    public void Classify_KnownTypes_FollowTheReview(string module, string name, bool isException, string expected) =>
        Assert.Equal(Enum.Parse<TypeClass>(expected), TypeClassification.Classify(new ReachableType(module, name, isException)));

    [Fact]
    public void Unclassified_FakeListingWithAnUnknownType_ReportsOnlyIt()
    {
        ReachableType[] listing = [new("select", "epoll", false), new("builtins", "int", false), new("_newmodule", "handle", false), new("_newmodule", "handle", false)];

        Assert.Equal(["_newmodule.handle"], TypeClassification.Unclassified(listing));
    }

    [Fact]
    public void Tables_AreDisjoint()
    {
        var pure = TypeClassification.Pure.SelectMany(p => p.Value.Select(n => p.Key + "." + n)).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(pure.Intersect(TypeClassification.Denied.Keys));
        Assert.Empty(pure.Intersect(TypeClassification.Managed.Keys));
        Assert.Empty(TypeClassification.Denied.Keys.Intersect(TypeClassification.Managed.Keys));
        Assert.Empty(TypeClassification.MethodsRefused.Keys.Except(TypeClassification.Managed.Keys));
    }
}
