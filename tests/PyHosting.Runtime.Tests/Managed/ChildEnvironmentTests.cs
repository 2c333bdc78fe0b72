using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Runtime.Tests.Managed;

public class ChildEnvironmentTests
{
    /// <summary>Every denied name or prefix, as a concrete name (a prefix gets a suffix).</summary>
    public static TheoryData<string> DeniedNames()
    {
        var data = new TheoryData<string>();
        foreach (var pattern in ChildEnvironment.DeniedNames)
        {
            data.Add(pattern.EndsWith('*') ? pattern[..^1] + "X" : pattern);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeniedNames))]
    public void DeniedName_IsDropped_EvenWhenTheHostListsIt(string name)
    {
        var result = ChildEnvironment.Sanitise(new Dictionary<string, string> { [name] = "value", ["PATH"] = "/usr/bin" }, [name], NullLogger.Instance);

        Assert.Equal(["PATH"], result.Keys);
    }

    [Theory]
    [InlineData("() { :; }; id")]
    [InlineData(" () { id; }")]
    [InlineData("()")]
    public void ShellFunctionValue_IsDropped_UnderAnAllowedName(string value)
    {
        var result = ChildEnvironment.Sanitise(new Dictionary<string, string> { ["TERM"] = value }, [], NullLogger.Instance);

        Assert.Empty(result);
    }

    [Fact]
    public void OnlyAllowedNames_Pass()
    {
        var requested = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin", ["HOME"] = "/h", ["LC_CTYPE"] = "C", ["LANG"] = "C.UTF-8", ["TZ"] = "UTC", ["LISTED"] = "yes",
            ["UNLISTED"] = "no", ["lc_all"] = "C",
        };

        var result = ChildEnvironment.Sanitise(requested, ["LISTED"], NullLogger.Instance);

        Assert.Equal(["HOME", "LANG", "LC_CTYPE", "LISTED", "PATH", "TZ"], result.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("APP_", new[] { "APP_", "APP_MODE", "HOME", "PATH" })]
    [InlineData("", new[] { "APPLE", "APP_", "APP_MODE", "HOME", "OTHER", "PATH" })]
    public void AllowedPrefixes_PassTheirNames_ButNeverALoaderOrInterpreterVariable(string prefix, string[] expected)
    {
        var requested = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin", ["HOME"] = "/h", ["APP_MODE"] = "1", ["APP_"] = "2", ["APPLE"] = "3", ["OTHER"] = "4",
            ["LD_PRELOAD"] = "/x.so", ["PYTHONSTARTUP"] = "/x.py", ["BASH_FUNC_f%%"] = "() { :; }", ["SHELLSHOCK"] = "() { :; }; id",
        };

        var result = ChildEnvironment.Sanitise(requested, [], NullLogger.Instance, [prefix]);

        Assert.Equal(expected, result.Keys.Order(StringComparer.Ordinal));
    }
}
