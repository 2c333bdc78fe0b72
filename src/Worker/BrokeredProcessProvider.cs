using System.Buffers;
using PyHosting.Hosting.Isolation.Protocol;
using PyHosting.Providers;

namespace PyHosting.Worker;

/// <summary>
/// The worker's process provider when the host brokers it: the host starts the process with the
/// <see cref="IPythonProcessProvider"/> of its DI (after checking <c>Permissions:CreateProcess</c> again) and keeps
/// it; its pipes are streamed through requests, one read or write at a time.
/// </summary>
/// <param name="link">The channel.</param>
internal sealed class BrokeredProcessProvider(HostLink link) : IPythonProcessProvider
{
    public IPythonProcess Start(PythonProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        var args = BrokerArgs.Array(6).AddArrayHeader(startInfo.Arguments.Count);
        foreach (var argument in startInfo.Arguments)
        {
            args.Add(argument);
        }

        args.AddMapHeader(startInfo.Environment.Count);
        foreach (var (name, value) in startInfo.Environment)
        {
            args.Add(name).Add(value);
        }

        args.Add(startInfo.WorkingDirectory).Add((long)startInfo.StandardInput).Add((long)startInfo.StandardOutput).Add((long)startInfo.StandardError);
        var reader = BrokeredFileSystem.Reader(link.Request(BrokerOperation.StartProcess, args.ToArray()), 5);
        var handle = reader.ReadInt64();
        var id = reader.ReadInt32();
        var hasInput = reader.ReadBoolean();
        var hasOutput = reader.ReadBoolean();
        var hasError = reader.ReadBoolean();
        return new BrokeredProcess(link, handle, id, hasInput, hasOutput, hasError);
    }

    private sealed class BrokeredProcess : IPythonProcess
    {
        private readonly HostLink _link;
        private readonly long _handle;
        private int _disposed;

        public BrokeredProcess(HostLink link, long handle, int id, bool hasInput, bool hasOutput, bool hasError)
        {
            _link = link;
            _handle = handle;
            Id = id;
            StandardInput = hasInput ? new Pipe(link, handle, 0) : null;
            StandardOutput = hasOutput ? new Pipe(link, handle, 1) : null;
            StandardError = hasError ? new Pipe(link, handle, 2) : null;
        }

        public int Id { get; }

        public Stream? StandardInput { get; }

        public Stream? StandardOutput { get; }

        public Stream? StandardError { get; }

        public int? ExitCode
        {
            get
            {
                var reader = BrokeredFileSystem.Reader(_link.Request(BrokerOperation.ProcessExitCode, Handle()), 1);
                return reader.TryReadNil() ? null : reader.ReadInt32();
            }
        }

        public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
        {
            // The wait in the host ends with the process; a cancelled wait here leaves it to end there.
            var result = await _link.RequestAsync(BrokerOperation.ProcessWait, Handle()).WaitAsync(cancellationToken).ConfigureAwait(false);
            return BrokeredFileSystem.Reader(result, 1).ReadInt32();
        }

        public void Kill() => _link.Request(BrokerOperation.ProcessKill, Handle());

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _link.Request(BrokerOperation.Close, Handle());
            }
        }

        private byte[] Handle() => BrokerArgs.Array(1).Add(_handle).ToArray();
    }

    /// <summary>One of a brokered process's pipes: 0 writes its standard input, 1 and 2 read its output.</summary>
    private sealed class Pipe(HostLink link, long handle, int stream) : Stream
    {
        private const int MaxChunk = 1 << 20;
        private int _closed;

        public override bool CanRead => stream != 0 && _closed == 0;

        public override bool CanWrite => stream == 0 && _closed == 0;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var reader = BrokeredFileSystem.Reader(link.Request(BrokerOperation.ProcessRead, BrokerArgs.Array(3).Add(handle).Add((long)stream).Add((long)Math.Min(buffer.Length, MaxChunk)).ToArray()), 1);
            var data = reader.ReadBytes() ?? default;
            if (data.Length > buffer.Length)
            {
                throw new PythonIOException(Errno.EIO, "The host returned more bytes than asked for.");
            }

            data.CopyTo(buffer);
            return (int)data.Length;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var result = await link.RequestAsync(BrokerOperation.ProcessRead, BrokerArgs.Array(3).Add(handle).Add((long)stream).Add((long)Math.Min(buffer.Length, MaxChunk)).ToArray())
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            var reader = BrokeredFileSystem.Reader(result, 1);
            var data = reader.ReadBytes() ?? default;
            if (data.Length > buffer.Length)
            {
                throw new PythonIOException(Errno.EIO, "The host returned more bytes than asked for.");
            }

            data.CopyTo(buffer.Span);
            return (int)data.Length;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            do
            {
                var chunk = buffer[..Math.Min(buffer.Length, MaxChunk)];
                link.Request(BrokerOperation.ProcessWrite, BrokerArgs.Array(2).Add(handle).Add(chunk).ToArray());
                buffer = buffer[chunk.Length..];
            }
            while (!buffer.IsEmpty);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _closed, 1) == 0 && stream == 0)
            {
                try
                {
                    link.Request(BrokerOperation.ProcessCloseInput, BrokerArgs.Array(1).Add(handle).ToArray());
                }
                catch (PythonIOException)
                {
                    // The process has been disposed in the host already.
                }
            }

            base.Dispose(disposing);
        }
    }
}
