using System.Text;

namespace PyHosting.Providers.Tests.TestSupport;

internal static class FileSystemTestExtensions
{
    public static void WriteText(this IPythonFileSystem fileSystem, string path, string text, PythonOpenFlags flags = PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate)
    {
        using var stream = fileSystem.Open(path, flags);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    public static string ReadText(this IPythonFileSystem fileSystem, string path)
    {
        using var stream = fileSystem.Open(path, PythonOpenFlags.Read);
        return ReadToEnd(stream);
    }

    public static string ReadToEnd(this Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
