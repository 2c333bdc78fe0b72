using System.Collections.Concurrent;
using PyHosting.Providers;

namespace PyHosting.Isolation.Tests;

/// <summary>
/// A file system that passes every operation to another, counting them, keeping every stream it returned (to check
/// that each is closed), and failing or hanging on demand.
/// </summary>
internal sealed class RecordingFileSystem(IPythonFileSystem inner) : IPythonFileSystem
{
    public ConcurrentQueue<string> Operations { get; } = new();

    public ConcurrentQueue<TrackedStream> Streams { get; } = new();

    /// <summary>Gets or sets what <see cref="Open"/> and <see cref="GetStatus"/> throw for paths under <c>/fail</c>.</summary>
    public Func<Exception> Failure { get; set; } = () => new InvalidOperationException("the provider broke");

    /// <summary>Gets what opening a path under <c>/hang</c> waits for.</summary>
    public ManualResetEventSlim Hang { get; } = new();

    public PythonFileStatus? GetStatus(string path, bool followSymbolicLinks = true)
    {
        Record("stat", path);
        return inner.GetStatus(path, followSymbolicLinks);
    }

    public Stream Open(string path, PythonOpenFlags flags, int mode = 0x1B6)
    {
        Record("open", path);
        if (path.StartsWith("/hang/", StringComparison.Ordinal))
        {
            Hang.Wait();
        }

        var stream = new TrackedStream(inner.Open(path, flags, mode));
        Streams.Enqueue(stream);
        return stream;
    }

    public IReadOnlyList<PythonDirectoryEntry> ReadDirectory(string path)
    {
        Record("listdir", path);
        return inner.ReadDirectory(path);
    }

    public void CreateDirectory(string path, int mode = 0x1FF)
    {
        Record("mkdir", path);
        inner.CreateDirectory(path, mode);
    }

    public void DeleteDirectory(string path)
    {
        Record("rmdir", path);
        inner.DeleteDirectory(path);
    }

    public void DeleteFile(string path)
    {
        Record("unlink", path);
        inner.DeleteFile(path);
    }

    public void Rename(string source, string destination, bool replace = true)
    {
        Record("rename", source);
        inner.Rename(source, destination, replace);
    }

    public void CreateSymbolicLink(string path, string target)
    {
        Record("symlink", path);
        inner.CreateSymbolicLink(path, target);
    }

    public string ReadSymbolicLink(string path)
    {
        Record("readlink", path);
        return inner.ReadSymbolicLink(path);
    }

    public void SetTimes(string path, DateTimeOffset? accessTime, DateTimeOffset? modificationTime, bool followSymbolicLinks = true)
    {
        Record("utime", path);
        inner.SetTimes(path, accessTime, modificationTime, followSymbolicLinks);
    }

    public void SetMode(string path, int mode, bool followSymbolicLinks = true)
    {
        Record("chmod", path);
        inner.SetMode(path, mode, followSymbolicLinks);
    }

    public string? GetHostPath(string path) => inner.GetHostPath(path);

    private void Record(string operation, string path)
    {
        Operations.Enqueue(operation + " " + path);
        if (path.StartsWith("/fail/", StringComparison.Ordinal))
        {
            throw Failure();
        }
    }
}

/// <summary>A stream that says whether it was disposed.</summary>
internal sealed class TrackedStream(Stream inner) : Stream
{
    public bool Disposed { get; private set; }

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposed = true;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A process provider that passes every start to another, keeping what it was asked and what it started.</summary>
internal sealed class RecordingProcessProvider(IPythonProcessProvider inner) : IPythonProcessProvider
{
    public ConcurrentQueue<PythonProcessStartInfo> Started { get; } = new();

    public ConcurrentQueue<IPythonProcess> Processes { get; } = new();

    public IPythonProcess Start(PythonProcessStartInfo startInfo)
    {
        Started.Enqueue(startInfo);
        var process = inner.Start(startInfo);
        Processes.Enqueue(process);
        return process;
    }
}
