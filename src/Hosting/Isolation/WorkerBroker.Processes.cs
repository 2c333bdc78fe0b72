using System.Buffers;
using MessagePack;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Hosting.Isolation;

/// <summary>The process provider's and the clock's operations.</summary>
internal sealed partial class WorkerBroker
{
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private Func<Task<byte[]?>> ParseProcess(BrokerOperation operation, ref MessagePackReader reader, int count)
    {
        var provider = _providers.Processes ?? throw new InvalidOperationException("the process provider is not brokered");
        if (operation == BrokerOperation.StartProcess)
        {
            Expect(count, 6);
            var argc = reader.ReadArrayHeader();
            if (argc is < 1 or > MaxArguments)
            {
                throw new InvalidOperationException($"a process has {argc} arguments");
            }

            var arguments = new string[argc];
            for (var i = 0; i < argc; i++)
            {
                arguments[i] = ReadString(ref reader);
            }

            var envc = reader.ReadMapHeader();
            if (envc > MaxArguments)
            {
                throw new InvalidOperationException($"a process has {envc} environment variables");
            }

            var environment = new Dictionary<string, string>(envc, StringComparer.Ordinal);
            for (var i = 0; i < envc; i++)
            {
                environment[ReadString(ref reader)] = ReadString(ref reader);
            }

            var workingDirectory = reader.ReadString();
            var stdio = new[] { reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32() };
            return Sync(() =>
            {
                if (!_providers.CreateProcess)
                {
                    throw new BrokerRefusal(Errno.EACCES, $"starting '{Shorten(arguments[0])}' denied: {PythonRuntimeConfigurationKeys.CreateProcess} is false");
                }

                // The worker's Managed backend asks for pipes or the null device only: never the host's own streams.
                if (Array.Exists(stdio, static s => s is not ((int)PythonStdio.Pipe or (int)PythonStdio.Null)))
                {
                    throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a child's standard stream is a pipe or the null device");
                }

                EnsureHandleAvailable();
                var process = provider.Start(new PythonProcessStartInfo(arguments)
                {
                    Environment = environment,
                    WorkingDirectory = workingDirectory,
                    StandardInput = (PythonStdio)stdio[0],
                    StandardOutput = (PythonStdio)stdio[1],
                    StandardError = (PythonStdio)stdio[2],
                }) ?? throw new PythonIOException(Errno.EIO, "The process provider returned no process.");
                long id;
                try
                {
                    id = AddHandle(process);
                }
                catch
                {
                    process.Kill();
                    process.Dispose();
                    throw;
                }

                return BrokerArgs.Array(5).Add(id).Add((long)process.Id)
                    .Add(process.StandardInput is not null).Add(process.StandardOutput is not null).Add(process.StandardError is not null).ToArray();
            });
        }

        var handle = reader.ReadInt64();
        switch (operation)
        {
            case BrokerOperation.ProcessRead:
                {
                    Expect(count, 3);
                    var stream = reader.ReadInt32();
                    var length = reader.ReadInt32();
                    return () => WithProcessAsync(handle, stream, async process =>
                    {
                        var source = stream switch
                        {
                            1 => process.StandardOutput,
                            2 => process.StandardError,
                            _ => throw new BrokerRefusal(Errno.EINVAL, "Invalid argument: a child's output is stream 1 or 2"),
                        } ?? throw BadHandle();
                        var buffer = new byte[Math.Clamp(length, 0, MaxReadLength)];
                        var n = buffer.Length == 0 ? 0 : await source.ReadAsync(buffer).ConfigureAwait(false);
                        return BrokerArgs.Array(1).Add(buffer.AsSpan(0, n)).ToArray();
                    });
                }

            case BrokerOperation.ProcessWrite:
                {
                    Expect(count, 2);
                    var data = reader.ReadBytes()?.ToArray() ?? [];
                    return () => WithProcessAsync(handle, 0, async process =>
                    {
                        var input = process.StandardInput ?? throw BadHandle();
                        await input.WriteAsync(data).ConfigureAwait(false);
                        await input.FlushAsync().ConfigureAwait(false);
                        return null;
                    });
                }

            case BrokerOperation.ProcessCloseInput:
                Expect(count, 1);
                return () => WithProcessAsync(handle, 0, process =>
                {
                    process.StandardInput?.Dispose();
                    return Task.FromResult<byte[]?>(null);
                });

            case BrokerOperation.ProcessExitCode:
                Expect(count, 1);
                return () => WithProcessAsync(handle, -1, process => Task.FromResult<byte[]?>(BrokerArgs.Array(1).Add((long?)process.ExitCode).ToArray()));

            case BrokerOperation.ProcessWait:
                Expect(count, 1);
                return () => WithProcessAsync(handle, -1, async process => BrokerArgs.Array(1).Add((long)await process.WaitForExitAsync().ConfigureAwait(false)).ToArray());

            case BrokerOperation.ProcessKill:
                Expect(count, 1);
                return () => WithProcessAsync(handle, -1, process =>
                {
                    process.Kill();
                    return Task.FromResult<byte[]?>(null);
                });

            default:
                throw new InvalidOperationException($"operation {(int)operation} does not exist");
        }
    }

    /// <summary>Runs <paramref name="work"/> on a process; <paramref name="gate"/> 0–2 serialises the use of one of its streams, -1 none.</summary>
    private async Task<byte[]?> WithProcessAsync(long id, int gate, Func<IPythonProcess, Task<byte[]?>> work)
    {
        if (!_handles.TryGetValue(id, out var handle) || handle.Resource is not IPythonProcess process)
        {
            throw BadHandle();
        }

        if (gate is < 0 or > 2)
        {
            return await work(process).ConfigureAwait(false);
        }

        await handle.Gates[gate].WaitAsync().ConfigureAwait(false);
        try
        {
            return await work(process).ConfigureAwait(false);
        }
        finally
        {
            handle.Gates[gate].Release();
        }
    }

    private Func<Task<byte[]?>> ParseClock(BrokerOperation operation, ref MessagePackReader reader, int count)
    {
        var clock = _providers.Clock ?? throw new InvalidOperationException("the clock is not brokered");
        switch (operation)
        {
            case BrokerOperation.GetUtcNow:
                Expect(count, 0);
                return Sync(() => BrokerArgs.Array(1).Add(clock.GetUtcNow().UtcTicks).ToArray());
            case BrokerOperation.GetTimestamp:
                Expect(count, 0);
                return Sync(() => BrokerArgs.Array(1).Add(clock.GetTimestamp()).ToArray());
            case BrokerOperation.CreateTimer:
            case BrokerOperation.ChangeTimer:
                {
                    Expect(count, 3);
                    var id = reader.ReadInt64();
                    var due = ToSpan(reader.ReadInt64());
                    var period = ToSpan(reader.ReadInt64());
                    return Sync(() =>
                    {
                        if (operation == BrokerOperation.ChangeTimer)
                        {
                            return _timers.TryGetValue(id, out var existing)
                                ? BrokerArgs.Array(1).Add(existing.Change(due, period)).ToArray()
                                : throw new BrokerRefusal(Errno.EBADF, "No such brokered timer");
                        }

                        if (_timers.Count >= MaxTimers)
                        {
                            throw new BrokerRefusal(Errno.EMFILE, $"A worker holds at most {MaxTimers} brokered timers");
                        }

                        var timer = clock.CreateTimer(Fire, id, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        if (!_timers.TryAdd(id, timer))
                        {
                            timer.Dispose();
                            throw new BrokerRefusal(Errno.EEXIST, "A brokered timer with this id exists");
                        }

                        if (_disposed && _timers.TryRemove(id, out var late))
                        {
                            late.Dispose();
                            return null;
                        }

                        timer.Change(due, period);
                        return null;
                    });
                }

            case BrokerOperation.DisposeTimer:
                {
                    Expect(count, 1);
                    var id = reader.ReadInt64();
                    return Sync(() =>
                    {
                        if (_timers.TryRemove(id, out var timer))
                        {
                            timer.Dispose();
                        }

                        return null;
                    });
                }

            default:
                throw new InvalidOperationException($"operation {(int)operation} does not exist");
        }
    }

    private void Fire(object? state)
    {
        if (!_disposed && state is long id && _timers.ContainsKey(id))
        {
            _send(new WorkerMessage { Kind = MessageKind.TimerFired, CallId = id });
        }
    }

    private static TimeSpan ToSpan(long ticks) => ticks == Timeout.InfiniteTimeSpan.Ticks
        ? Timeout.InfiniteTimeSpan
        : ticks >= 0 && ticks <= MaxTimerSpan.Ticks
            ? TimeSpan.FromTicks(ticks)
            : throw new InvalidOperationException("a timer's time is out of range");
}
