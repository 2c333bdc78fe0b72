using System.IO.Abstractions;
using PyHosting.Providers.Internal;

namespace PyHosting.Providers;

/// <content>Path mapping, checks and error mapping.</content>
public sealed partial class FileSystemAbstractionsPythonFileSystem
{
    private int ModeOf(string host, PythonFileKind kind)
    {
        if (kind == PythonFileKind.SymbolicLink)
        {
            return 0x1FF;
        }

        if (!OperatingSystem.IsWindows())
        {
            try
            {
                return (int)_fileSystem.File.GetUnixFileMode(host) & 0xFFF;
            }
            catch (Exception e) when (e is NotSupportedException or IOException)
            {
                // Fall back to the usual defaults below.
            }
        }

        return kind == PythonFileKind.Directory ? 0x1ED : 0x1A4;
    }

    private static T Guard<T>(string path, Func<T> operation)
    {
        PythonPath.Validate(path);
        return operation();
    }

    private static void Guard(string path, Action operation) => Guard(path, () =>
    {
        operation();
        return true;
    });

    private string Host(string path)
        => path == PythonPath.Root ? _root : _fileSystem.Path.Join(_root, path[1..].Replace('/', _fileSystem.Path.DirectorySeparatorChar));

    private bool Exists(string host) => _fileSystem.File.Exists(host) || _fileSystem.Directory.Exists(host) || LinkTarget(host) is not null;

    private string? LinkTarget(string host)
    {
        try
        {
            return _fileSystem.FileInfo.New(host).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Gets why a missing path is missing: <c>ENOTDIR</c> when an ancestor is a file, else <c>ENOENT</c>.</summary>
    private int MissingErrno(string path)
    {
        for (var ancestor = PythonPath.GetParent(path); ancestor is not null; ancestor = PythonPath.GetParent(ancestor))
        {
            if (_fileSystem.File.Exists(Host(ancestor)))
            {
                return Errno.ENOTDIR;
            }
        }

        return Errno.ENOENT;
    }

    private void CheckParent(string path)
    {
        var parent = PythonPath.GetParent(path)!;
        if (!_fileSystem.Directory.Exists(Host(parent)))
        {
            throw FileSystemErrors.Create(_fileSystem.File.Exists(Host(parent)) ? Errno.ENOTDIR : MissingErrno(parent), path);
        }
    }

    private IFileSystemInfo ExistingInfo(string path)
    {
        var host = Host(path);
        if (_fileSystem.Directory.Exists(host))
        {
            return _fileSystem.DirectoryInfo.New(host);
        }

        return _fileSystem.File.Exists(host) ? _fileSystem.FileInfo.New(host) : throw FileSystemErrors.Create(MissingErrno(path), path);
    }
}
