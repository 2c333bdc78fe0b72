using Microsoft.Extensions.Logging.Abstractions;
using PyHosting.Internal;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Runtime.Tests;

public class RuntimeHelpersTests
{
    [Theory]
    [InlineData("/app/x.py", "'/app/x.py'")]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("a\\b", "'a\\\\b'")]
    [InlineData("line\nbreak", "'line\\nbreak'")]
    public void PythonLiteral_QuotesSafely(string value, string expected)
        => Assert.Equal(expected, PythonRuntime.PythonLiteral(value));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3 << 8)]
    [InlineData(-9, 9)]
    [InlineData(-15, 15)]
    public void EncodeStatus_FollowsPosixWaitStatus(int exitCode, int status)
        => Assert.Equal(status, ChildProcesses.EncodeStatus(exitCode));

    [Fact]
    public void OutputSink_LogsWholeLines()
    {
        var writer = new StringWriter();
        var sink = new OutputSink(writer, null, NullLogger.Instance, NullLogger.Instance);
        sink.Write(1, "a");
        sink.Write(2, "b\n");
        sink.Flush();
        Assert.Equal("ab\n", writer.ToString());
    }

    [Fact]
    public void FindHome_WalksUpToTheStandardLibrary()
    {
        var root = Directory.CreateTempSubdirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "lib", "python3.11"));
            File.WriteAllText(Path.Combine(root.FullName, "lib", "python3.11", "os.py"), string.Empty);
            var libDir = Directory.CreateDirectory(Path.Combine(root.FullName, "lib", "x86_64-linux-gnu"));
            Assert.Equal(root.FullName, PythonLibraryLocator.FindHome(Path.Combine(libDir.FullName, "libpython3.11.so.1.0")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Locate_ConfiguredLibraryMissing_NamesTheKey()
    {
        var e = Assert.Throws<PythonStartupException>(() => PythonLibraryLocator.Locate("/nonexistent/libpython3.11.so", _ => null));
        Assert.Contains("PythonRuntime:PythonLibrary", e.Message, StringComparison.Ordinal);
    }
}
