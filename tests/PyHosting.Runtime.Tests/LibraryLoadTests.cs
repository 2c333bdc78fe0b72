using PyHosting.Internal.Interop;

namespace PyHosting.Runtime.Tests;

/// <summary>A configured library that is not CPython 3.11 is a start-up error naming the key and the file, not a missing entry point.</summary>
public sealed class LibraryLoadTests
{
    [Fact]
    public void Load_AFileThatIsNoLibrary_NamesTheKeyAndTheFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a shared library");

            var e = Assert.Throws<PythonStartupException>(() => LibPython.Load(file, "PythonRuntime:PythonLibrary"));

            Assert.Contains($"PythonRuntime:PythonLibrary '{file}' cannot be loaded as a shared library", e.Message, StringComparison.Ordinal);
            Assert.False(LibPython.IsLoaded);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Load_ALibraryThatIsNotCPython_NamesTheKeyAndTheFile()
    {
        var libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6" }.First(File.Exists);

        var e = Assert.Throws<PythonStartupException>(() => LibPython.Load(libc, "PythonRuntime:PythonLibrary"));

        Assert.Contains($"PythonRuntime:PythonLibrary '{libc}' is not a CPython shared library", e.Message, StringComparison.Ordinal);
        Assert.Contains("libpython3.11.so.1.0", e.Message, StringComparison.Ordinal);
        Assert.False(LibPython.IsLoaded);
    }
}
