using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.Modules;

namespace PyHosting.Sandbox.Tests.Completeness;

/// <summary>The classifier on its own: an unknown name is never assumed harmless.</summary>
public sealed class ModuleClassificationTests
{
    [Fact]
    public void Unclassified_FakeModuleListingWithUnknownOsCall_ReportsOnlyTheUnknownNames()
    {
        ModuleCallable[] listing =
        [
            new("posix", "stat", IsManaged: true, IsExceptionType: false),
            new("posix", "cpu_count", IsManaged: false, IsExceptionType: false),
            new("posix", "pidfd_send_signal", IsManaged: false, IsExceptionType: false),
            new("math", "sqrt", IsManaged: false, IsExceptionType: false),
            new("_newmodule", "open_anything", IsManaged: false, IsExceptionType: false),
            new("_newmodule", "Error", IsManaged: false, IsExceptionType: true),
            new("sys", "settrace", IsManaged: false, IsExceptionType: false),
        ];

        Assert.Equal(["_newmodule.open_anything", "posix.pidfd_send_signal"], ModuleClassification.Unclassified(listing));
    }

    [Theory]
    [InlineData("posix", "system", false, "Unclassified")]
    [InlineData("posix", "system", true, "Managed")]
    [InlineData("posix", "urandom", false, "Pure")]
    [InlineData("sys", "settrace", false, "Denied")]
    [InlineData("sys", "setrecursionlimit", false, "Unclassified")]
    [InlineData("_io", "FileIO", false, "Managed")]
    [InlineData("zlib", "decompress", false, "Pure")]
    [InlineData("_locale", "setlocale", false, "Unclassified")]
    [InlineData("posix", "getpgid", false, "Unclassified")]
    [InlineData("posix", "sched_getaffinity", false, "Unclassified")]
    [InlineData("posix", "getloadavg", false, "Unclassified")]
    [InlineData("posix", "times", false, "Unclassified")]
    [InlineData("time", "pthread_getcpuclockid", false, "Unclassified")]
    [InlineData("time", "clock_getres", false, "Unclassified")]
    public void Classify_KnownNames_FollowTheReview(string module, string name, bool isManaged, string expected) =>
        Assert.Equal(Enum.Parse<CallableClass>(expected), ModuleClassification.Classify(new ModuleCallable(module, name, isManaged, IsExceptionType: false)));

    [Fact]
    public void PureLists_CoverEveryOriginalTheWrappedModulesKeep()
    {
        // A wrapped module keeping another original must come with a review of that name here.
        Assert.Empty(PosixModule.Pure.Concat(PosixModule.Types).Except(["error"]).Except(ModuleClassification.PureCallables["posix"]));
        Assert.Empty(TimeModule.Kept.Except(ModuleClassification.PureCallables["time"]));
        Assert.Empty(ThreadModule.Kept.Except(["error"]).Except(ModuleClassification.PureCallables["_thread"]));
        Assert.Empty(SignalModule.Kept.Except(["Signals", "Handlers", "Sigmasks", "ItimerError"]).Except(ModuleClassification.PureCallables["_signal"]));
    }

    [Fact]
    public void RestrictedExtensions_IncludeEveryExtensionTheImportGateRestricts() =>
        Assert.Empty(ImpModule.RestrictedDynload.Except(ModuleClassification.RestrictedExtensions));
}
