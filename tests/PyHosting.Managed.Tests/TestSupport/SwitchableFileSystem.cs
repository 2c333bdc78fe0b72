using PyHosting.Providers;

namespace PyHosting.Managed.Tests.TestSupport;

/// <summary>A mount whose file system a test swaps in (a Moq'd provider), so one runtime can meet many providers.</summary>
public sealed class SwitchableFileSystem(IPythonFileSystem initial) : IPythonFileSystem
{
    private volatile IPythonFileSystem _target = initial;

    public IPythonFileSystem Target
    {
        get => _target;
        set => _target = value;
    }

    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => _target.GetStatus(path, followSymbolicLinks);

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6) => _target.Open(path, flags, mode);

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => _target.ReadDirectory(path);

    public void CreateDirectory(string path, int mode = 0x1FF) => _target.CreateDirectory(path, mode);

    public void DeleteDirectory(string path) => _target.DeleteDirectory(path);

    public void DeleteFile(string path) => _target.DeleteFile(path);

    public void Rename(string source, string destination, bool replace = true) => _target.Rename(source, destination, replace);

    public void CreateSymbolicLink(string path, string target) => _target.CreateSymbolicLink(path, target);

    public void CreateHardLink(string source, string destination) => _target.CreateHardLink(source, destination);

    public string ReadSymbolicLink(string path) => _target.ReadSymbolicLink(path);

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
        => _target.SetTimes(path, accessTime, modificationTime, followSymbolicLinks);

    public void SetMode(string path, int mode, bool followSymbolicLinks = true) => _target.SetMode(path, mode, followSymbolicLinks);

    public string? GetHostPath(string path) => _target.GetHostPath(path);
}
