using Microsoft.Extensions.Logging;
using PyHosting.Providers;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// A file-system decorator: every change Python makes is written to the log, and each call is passed on to the file
/// system it wraps. Added with <c>AddPythonRuntime(...).DecorateFileSystem((services, inner) =&gt; new AuditingFileSystem(inner, ...))</c>,
/// it wraps the mount table the runtime builds from <c>PythonRuntime:FileSystem:Mounts</c>, when the host starts.
/// </summary>
/// <remarks>
/// Permissions are checked by the runtime before the provider is called, so a refused operation never reaches it. The
/// Native backend uses no file system provider: under it the decorator is not applied (the runtime logs that once).
/// </remarks>
internal sealed class AuditingFileSystem : IPythonFileSystem
{
    private readonly IPythonFileSystem _inner;
    private readonly ILogger _logger;

    public AuditingFileSystem(IPythonFileSystem inner, ILogger<AuditingFileSystem> logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _logger = logger;
    }

    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true) => _inner.GetStatus(path, followSymbolicLinks);

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        var stream = _inner.Open(path, flags, mode);
        if ((flags & (PythonOpenFlags.Write | PythonOpenFlags.Create | PythonOpenFlags.Truncate | PythonOpenFlags.Append)) != 0)
        {
            Log.FileSystemChange(_logger, "opened for writing", path);
        }

        return stream;
    }

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path) => _inner.ReadDirectory(path);

    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        _inner.CreateDirectory(path, mode);
        Log.FileSystemChange(_logger, "created the directory", path);
    }

    public void DeleteDirectory(string path)
    {
        _inner.DeleteDirectory(path);
        Log.FileSystemChange(_logger, "deleted the directory", path);
    }

    public void DeleteFile(string path)
    {
        _inner.DeleteFile(path);
        Log.FileSystemChange(_logger, "deleted", path);
    }

    public void Rename(string source, string destination, bool replace = true)
    {
        _inner.Rename(source, destination, replace);
        Log.FileSystemChange(_logger, "renamed " + source + " to", destination);
    }

    public void CreateSymbolicLink(string path, string target)
    {
        _inner.CreateSymbolicLink(path, target);
        Log.FileSystemChange(_logger, "created a symbolic link to " + target + " at", path);
    }

    public void CreateHardLink(string source, string destination)
    {
        _inner.CreateHardLink(source, destination);
        Log.FileSystemChange(_logger, "created a hard link to " + source + " at", destination);
    }

    public string ReadSymbolicLink(string path) => _inner.ReadSymbolicLink(path);

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true) =>
        _inner.SetTimes(path, accessTime, modificationTime, followSymbolicLinks);

    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        _inner.SetMode(path, mode, followSymbolicLinks);
        Log.FileSystemChange(_logger, "changed the mode of", path);
    }

    public string? GetHostPath(string path) => _inner.GetHostPath(path);
}
