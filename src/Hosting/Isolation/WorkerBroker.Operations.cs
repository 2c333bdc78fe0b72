using System.Buffers;
using MessagePack;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Hosting.Isolation;

/// <summary>The operations: arguments read and checked on the reader thread, the work done on the thread pool.</summary>
internal sealed partial class WorkerBroker
{
    private const int MaxArguments = 4096;
    private const int ValidOpenFlags = 63;

    private Func<Task<byte[]?>> Parse(WorkerMessage request)
    {
        var reader = new MessagePackReader(request.Payload ?? throw new InvalidOperationException("it has no arguments"));
        var count = reader.ReadArrayHeader();
        var operation = (BrokerOperation)request.Code;
        var run = operation switch
        {
            >= BrokerOperation.GetStatus and <= BrokerOperation.GetHostPath => ParseFileSystem(operation, ref reader, count),
            >= BrokerOperation.Read and <= BrokerOperation.GetPosition => ParseStream(operation, ref reader, count),
            >= BrokerOperation.StartProcess and <= BrokerOperation.ProcessKill => ParseProcess(operation, ref reader, count),
            >= BrokerOperation.GetUtcNow and <= BrokerOperation.DisposeTimer => ParseClock(operation, ref reader, count),
            _ => throw new InvalidOperationException($"operation {request.Code} does not exist"),
        };
        if (!reader.End)
        {
            throw new InvalidOperationException("trailing bytes after its arguments");
        }

        return run;
    }

    private static void Expect(int count, int expected)
    {
        if (count != expected)
        {
            throw new InvalidOperationException($"it has {count} arguments instead of {expected}");
        }
    }

    private static string ReadString(ref MessagePackReader reader)
        => reader.ReadString() ?? throw new InvalidOperationException("a string argument is nil");

    private Func<Task<byte[]?>> ParseFileSystem(BrokerOperation operation, ref MessagePackReader reader, int count)
    {
        var fs = _providers.FileSystem ?? throw new InvalidOperationException("the file system is not brokered");
        switch (operation)
        {
            case BrokerOperation.GetStatus:
                {
                    Expect(count, 2);
                    var path = ReadString(ref reader);
                    var follow = reader.ReadBoolean();
                    return Sync(() =>
                    {
                        CheckMetadata(path, "stat");
                        return fs.GetStatus(path, follow) is { } status ? EncodeStatus(status) : null;
                    });
                }

            case BrokerOperation.Open:
                {
                    Expect(count, 3);
                    var path = ReadString(ref reader);
                    var flags = reader.ReadInt32();
                    var mode = reader.ReadInt32();
                    return Sync(() =>
                    {
                        if ((flags & ~ValidOpenFlags) != 0 || (flags & (int)PythonOpenFlags.ReadWrite) == 0 || mode is < 0 or > 0xFFF)
                        {
                            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: open flags or mode out of range");
                        }

                        var open = (PythonOpenFlags)flags;
                        if ((open & ~PythonOpenFlags.Read) != 0)
                        {
                            CheckWrite(path, "open for writing");
                        }
                        else
                        {
                            CheckMetadata(path, "open");
                        }

                        EnsureHandleAvailable();
                        var stream = fs.Open(path, open, mode) ?? throw new PythonIOException(Errno.EIO, "The file system returned no stream.");
                        long id;
                        try
                        {
                            id = AddHandle(stream);
                        }
                        catch
                        {
                            stream.Dispose();
                            throw;
                        }

                        return BrokerArgs.Array(5).Add(id).Add(stream.CanRead).Add(stream.CanWrite).Add(stream.CanSeek).Add(PositionOf(stream)).ToArray();
                    });
                }

            case BrokerOperation.ReadDirectory:
                {
                    Expect(count, 1);
                    var path = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckMetadata(path, "listdir");
                        var entries = fs.ReadDirectory(path);
                        var args = BrokerArgs.Array(entries.Count);
                        foreach (var entry in entries)
                        {
                            args.AddArrayHeader(2).Add(entry.Name).Add((long)entry.Kind);
                        }

                        return args.ToArray();
                    });
                }

            case BrokerOperation.ReadSymbolicLink:
                {
                    Expect(count, 1);
                    var path = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckMetadata(path, "readlink");
                        return BrokerArgs.Array(1).Add(fs.ReadSymbolicLink(path)).ToArray();
                    });
                }

            case BrokerOperation.GetHostPath:
                {
                    Expect(count, 1);
                    var path = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckMetadata(path, "host path of");
                        return BrokerArgs.Array(1).Add(fs.GetHostPath(path)).ToArray();
                    });
                }

            case BrokerOperation.CreateDirectory:
                {
                    Expect(count, 2);
                    var path = ReadString(ref reader);
                    var mode = reader.ReadInt32();
                    return Sync(() =>
                    {
                        CheckWrite(path, "mkdir");
                        CheckMode(mode);
                        fs.CreateDirectory(path, mode);
                        return null;
                    });
                }

            case BrokerOperation.DeleteDirectory:
                {
                    Expect(count, 1);
                    var path = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckWrite(path, "rmdir");
                        fs.DeleteDirectory(path);
                        return null;
                    });
                }

            case BrokerOperation.DeleteFile:
                {
                    Expect(count, 1);
                    var path = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckWrite(path, "unlink");
                        fs.DeleteFile(path);
                        return null;
                    });
                }

            case BrokerOperation.Rename:
                {
                    Expect(count, 3);
                    var source = ReadString(ref reader);
                    var destination = ReadString(ref reader);
                    var replace = reader.ReadBoolean();
                    return Sync(() =>
                    {
                        CheckWrite(source, "rename");
                        CheckWrite(destination, "rename");
                        fs.Rename(source, destination, replace);
                        return null;
                    });
                }

            case BrokerOperation.CreateSymbolicLink:
                {
                    Expect(count, 2);
                    var path = ReadString(ref reader);
                    var target = ReadString(ref reader);
                    return Sync(() =>
                    {
                        CheckWrite(path, "symlink");
                        if (target.Length == 0 || target.Length > 4096 || target.Contains('\0', StringComparison.Ordinal))
                        {
                            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a link target is 1 to 4096 characters without NUL");
                        }

                        fs.CreateSymbolicLink(path, target);
                        return null;
                    });
                }

            case BrokerOperation.SetTimes:
                {
                    Expect(count, 4);
                    var path = ReadString(ref reader);
                    long? access = reader.TryReadNil() ? null : reader.ReadInt64();
                    long? modification = reader.TryReadNil() ? null : reader.ReadInt64();
                    var follow = reader.ReadBoolean();
                    return Sync(() =>
                    {
                        CheckWrite(path, "utime");
                        fs.SetTimes(path, ToTime(access), ToTime(modification), follow);
                        return null;
                    });
                }

            case BrokerOperation.SetMode:
                {
                    Expect(count, 3);
                    var path = ReadString(ref reader);
                    var mode = reader.ReadInt32();
                    var follow = reader.ReadBoolean();
                    return Sync(() =>
                    {
                        CheckWrite(path, "chmod");
                        CheckMode(mode);
                        fs.SetMode(path, mode, follow);
                        return null;
                    });
                }

            default:
                throw new InvalidOperationException($"operation {(int)operation} does not exist");
        }
    }

    private Func<Task<byte[]?>> ParseStream(BrokerOperation operation, ref MessagePackReader reader, int count)
    {
        if (_providers.FileSystem is null && _providers.Processes is null)
        {
            throw new InvalidOperationException("no provider that returns handles is brokered");
        }

        switch (operation)
        {
            case BrokerOperation.Read:
                {
                    Expect(count, 3);
                    var id = reader.ReadInt64();
                    var length = reader.ReadInt32();
                    var at = reader.ReadInt64();
                    return () => WithStreamAsync(id, stream =>
                    {
                        if (length < 0)
                        {
                            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a negative length");
                        }

                        MoveTo(stream, at);
                        // Synchronous I/O on this thread-pool thread, which serves this request alone: a provider's stream
                        // is a file's (a process's pipes, which may wait for long, are read asynchronously).
                        var buffer = new byte[Math.Min(length, MaxReadLength)];
                        var n = buffer.Length == 0 ? 0 : stream.Read(buffer);
                        return Task.FromResult<byte[]?>(BrokerArgs.Array(1).Add(buffer.AsSpan(0, n)).ToArray());
                    });
                }

            case BrokerOperation.Write:
                {
                    Expect(count, 3);
                    var id = reader.ReadInt64();
                    var data = reader.ReadBytes()?.ToArray() ?? [];
                    var at = reader.ReadInt64();
                    return () => WithStreamAsync(id, stream =>
                    {
                        MoveTo(stream, at);
                        // Flushed before the answer: the worker's own flush then has nothing to send.
                        stream.Write(data);
                        stream.Flush();
                        return Task.FromResult<byte[]?>(BrokerArgs.Array(1).Add(PositionOf(stream)).ToArray());
                    });
                }

            case BrokerOperation.Seek:
                {
                    Expect(count, 3);
                    var id = reader.ReadInt64();
                    var offset = reader.ReadInt64();
                    var origin = reader.ReadInt32();
                    return () => WithStreamAsync(id, stream =>
                    {
                        if (origin is < 0 or > 2)
                        {
                            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: whence");
                        }

                        return Task.FromResult<byte[]?>(BrokerArgs.Array(1).Add(stream.Seek(offset, (SeekOrigin)origin)).ToArray());
                    });
                }

            case BrokerOperation.GetLength:
            case BrokerOperation.GetPosition:
            case BrokerOperation.Flush:
                {
                    Expect(count, 1);
                    var id = reader.ReadInt64();
                    return () => WithStreamAsync(id, async stream =>
                    {
                        switch (operation)
                        {
                            case BrokerOperation.GetLength:
                                return BrokerArgs.Array(1).Add(stream.Length).ToArray();
                            case BrokerOperation.GetPosition:
                                return BrokerArgs.Array(1).Add(stream.Position).ToArray();
                            default:
                                await stream.FlushAsync().ConfigureAwait(false);
                                return null;
                        }
                    });
                }

            case BrokerOperation.SetLength:
                {
                    Expect(count, 2);
                    var id = reader.ReadInt64();
                    var length = reader.ReadInt64();
                    return () => WithStreamAsync(id, stream =>
                    {
                        if (length < 0)
                        {
                            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a negative length");
                        }

                        stream.SetLength(length);
                        return Task.FromResult<byte[]?>(BrokerArgs.Array(1).Add(PositionOf(stream)).ToArray());
                    });
                }

            case BrokerOperation.Close:
                {
                    Expect(count, 1);
                    var id = reader.ReadInt64();
                    return () =>
                    {
                        if (!_handles.TryRemove(id, out var handle))
                        {
                            throw BadHandle();
                        }

                        // The stream's own errors on close (a failed final flush) reach the worker; the handle is gone either way.
                        if (handle.Resource is Stream stream)
                        {
                            try
                            {
                                stream.Flush();
                            }
                            finally
                            {
                                stream.Dispose();
                            }
                        }
                        else
                        {
                            handle.Dispose();
                        }

                        return Task.FromResult<byte[]?>(null);
                    };
                }

            default:
                throw new InvalidOperationException($"operation {(int)operation} does not exist");
        }
    }

    private static Func<Task<byte[]?>> Sync(Func<byte[]?> work) => () => Task.FromResult(work());

    private async Task<byte[]?> WithStreamAsync(long id, Func<Stream, Task<byte[]?>> work)
    {
        if (!_handles.TryGetValue(id, out var handle) || handle.Resource is not Stream stream)
        {
            throw BadHandle();
        }

        await handle.Gates[0].WaitAsync().ConfigureAwait(false);
        try
        {
            return await work(stream).ConfigureAwait(false);
        }
        finally
        {
            handle.Gates[0].Release();
        }
    }

    /// <summary>Refuses, before the provider opens anything, a handle beyond <see cref="MaxHandles"/>.</summary>
    private void EnsureHandleAvailable()
    {
        if (_handles.Count >= MaxHandles)
        {
            throw new BrokerRefusal(Errno.EMFILE, $"Too many open files: a worker holds at most {MaxHandles} brokered streams and processes");
        }
    }

    private long AddHandle(object resource)
    {
        if (_handles.Count >= MaxHandles)
        {
            // Others took the last handles while the provider opened this one: it is closed here, as nobody else holds it.
            new Handle(resource).Dispose();
            EnsureHandleAvailable();
        }

        var id = Interlocked.Increment(ref _nextHandle);
        _handles[id] = new Handle(resource);
        if (_disposed && _handles.TryRemove(id, out var late))
        {
            // The worker ended while the provider opened it: nobody will close it but this.
            late.Dispose();
            throw new BrokerRefusal(Errno.EBADF, "The worker has ended.");
        }

        return id;
    }

    /// <summary>Moves a seekable stream to where the worker's handle is (the worker keeps the position; seeks cost no request).</summary>
    private static void MoveTo(Stream stream, long position)
    {
        if (position < -1)
        {
            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a negative position");
        }

        if (position >= 0 && stream.CanSeek && stream.Position != position)
        {
            stream.Position = position;
        }
    }

    /// <summary>The position a seekable stream is at, which the worker keeps so that it need not ask; -1 for a stream that cannot seek.</summary>
    private static long PositionOf(Stream stream) => stream.CanSeek ? stream.Position : -1;

    private static BrokerRefusal BadHandle() => new(Errno.EBADF, "Bad file descriptor: no such brokered handle");

    private static void CheckMode(int mode)
    {
        if (mode is < 0 or > 0xFFF)
        {
            throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a mode has 12 bits");
        }
    }

    private static DateTimeOffset? ToTime(long? ticks) => ticks switch
    {
        null => null,
        < 0 or > 3155378975999999999 => throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a time out of range"),
        { } t => new DateTimeOffset(t, TimeSpan.Zero),
    };

    private static void CheckPath(string path)
    {
        if (!PythonPath.IsNormalized(path))
        {
            throw new BrokerRefusal(Errno.EINVAL, $"Invalid argument: '{Shorten(path)}' is not an absolute, normalised path");
        }
    }

    /// <summary>Reading metadata or contents: with <c>IO=None</c>, only below the module paths, as in the worker.</summary>
    private void CheckMetadata(string path, string operation)
    {
        CheckPath(path);
        if (_providers.IO == IOAccess.None && !_providers.CodeRoots.Any(root => PythonPath.IsSameOrAncestor(root, path)))
        {
            throw new BrokerRefusal(Errno.EACCES, $"{operation} '{Shorten(path)}' denied: {PythonRuntimeConfigurationKeys.IO} is None");
        }
    }

    /// <summary>Any change: only with <c>IO=All</c>, as in the worker.</summary>
    private void CheckWrite(string path, string operation)
    {
        CheckPath(path);
        if (_providers.IO != IOAccess.All)
        {
            throw new BrokerRefusal(Errno.EACCES, $"{operation} '{Shorten(path)}' denied: {PythonRuntimeConfigurationKeys.IO} is {_providers.IO}");
        }
    }

    private static string Shorten(string path) => path.Length > 200 ? path[..200] + "..." : path;

    private static byte[] EncodeStatus(PythonFileStatus status) => BrokerArgs.Array(10)
        .Add((long)status.Kind).Add(status.Size).Add((long)status.Mode)
        .Add(status.AccessTime.UtcTicks).Add(status.ModificationTime.UtcTicks).Add(status.ChangeTime.UtcTicks)
        .Add((long)status.LinkCount).Add(status.Inode).Add((long)status.UserId).Add((long)status.GroupId)
        .ToArray();
}
