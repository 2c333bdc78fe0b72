namespace PyHosting.Samples.Tests;

/// <summary>
/// The tests that publish the sample for linux-x64 share its intermediate folder (<c>obj/Release/net10.0/linux-x64</c>)
/// and its restore: they run one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SamplePublishCollection
{
    public const string Name = "Sample publish";
}
