using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// An in-runtime pipe (<c>os.pipe</c>). Either end can be attached to a stream of a child process
/// (the read end to its stdout, the write end to its stdin): Python then reads from or writes to
/// the child directly. Reads block (without the GIL) until data, end of file or cancellation.
/// </summary>
/// <remarks>
/// A read or write on an end that is not blocking (<c>os.set_blocking(fd, False)</c>) raises <c>EAGAIN</c> where it
/// would wait. Every change a reader or writer could wait for is announced to <see cref="Readiness"/>, which
/// <c>select</c> waits on.
/// The buffer holds at most <see cref="Capacity"/> bytes, whatever the size of one write: a write
/// copies what fits, then waits for the reader before copying more, as a blocking POSIX write does.
/// Buffered bytes are counted against <c>PythonRuntime:MemoryLimit</c>; a write the limit refuses
/// raises <c>ENOMEM</c> (or returns what it had already copied).
/// </remarks>
internal sealed class VirtualPipe
{
    /// <summary>The most bytes the buffer holds (Linux's default pipe size is 64 KiB; this is larger, as before).</summary>
    public const int Capacity = 1 << 20;

    /// <summary>The most bytes one copy to or from a child's stream, or one chunk of the buffer, holds.</summary>
    public const int StreamChunk = 1 << 16;
    private readonly Queue<byte[]> _chunks = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _readable = new(0); // released when data or end of file arrives
    private readonly SemaphoreSlim _writable = new(0); // released when room appears or the reader goes away
    private int _offset;
    private int _buffered;
    private int _capacity = Capacity;
    private bool _writerClosed;
    private bool _readerClosed;
    private long _added;
    private long _taken;

    public VirtualPipe()
    {
        ReadEnd = new End(this, read: true);
        WriteEnd = new End(this, read: false);
    }

    public End ReadEnd { get; }

    public End WriteEnd { get; }

    /// <summary>Gets or sets a stream the read end reads from instead of the buffer (a child's output).</summary>
    public Stream? Source { get; set; }

    /// <summary>Gets or sets a stream the write end writes to instead of the buffer (a child's input).</summary>
    public Stream? Sink { get; set; }

    private bool HasData
    {
        get
        {
            lock (_gate)
            {
                return _buffered > 0 || _writerClosed;
            }
        }
    }

    /// <summary>Gets a value indicating whether a write would not wait: there is room, or the reader is gone (the write fails at once).</summary>
    public bool CanWrite
    {
        get
        {
            lock (_gate)
            {
                return _readerClosed || _writerClosed || _buffered < _capacity;
            }
        }
    }

    private Action? _readerClosedAction;

    /// <summary>Runs <paramref name="action"/> once the reading side closes (a relay from a child stops, so the child's next write fails with <c>EPIPE</c>).</summary>
    public void WhenReaderCloses(Action action)
    {
        Volatile.Write(ref _readerClosedAction, action);
        if (ReaderClosed)
        {
            Interlocked.Exchange(ref _readerClosedAction, null)?.Invoke();
        }
    }

    /// <summary>Gets a value indicating whether the reading side is closed (a write end then polls readable, as Linux reports <c>POLLERR</c>).</summary>
    public bool ReaderClosed
    {
        get
        {
            lock (_gate)
            {
                return _readerClosed;
            }
        }
    }

    /// <summary>Gets a value indicating whether a read would not wait: data is buffered, or the writer is gone (end of file).</summary>
    public bool CanRead => HasData;

    /// <summary>Gets the bytes buffered now (<c>FIONREAD</c>).</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffered;
            }
        }
    }

    /// <summary>Gets the most bytes the buffer holds (<c>F_GETPIPE_SZ</c>).</summary>
    public int Size
    {
        get
        {
            lock (_gate)
            {
                return _capacity;
            }
        }
    }

    /// <summary>
    /// Changes the most bytes the buffer holds (<c>F_SETPIPE_SZ</c>), rounded up to a power of two of at least one page,
    /// as Linux does: <c>EPERM</c> past <see cref="Capacity"/> (an unprivileged process's limit), <c>EBUSY</c> below what is buffered.
    /// </summary>
    /// <returns>The new size.</returns>
    public int Resize(long requested)
    {
        if (requested < 0 || requested > int.MaxValue)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var size = (int)Math.Max(PageSize, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(requested, 1)));
        if (requested > Capacity)
        {
            throw new PythonIOException(Errno.EPERM, "Operation not permitted");
        }

        lock (_gate)
        {
            if (_buffered > size)
            {
                throw new PythonIOException(Errno.EBUSY, "Device or resource busy");
            }

            _capacity = size;
        }

        Signal(_writable);
        Readiness.Changed();
        return size;
    }

    private const int PageSize = 4096;

    /// <summary>
    /// Gets two numbers for edge-triggered <c>epoll</c>: the first changes when bytes are buffered (a reader's wake-up), the
    /// second when bytes are taken (a writer's); both when an end closes.
    /// </summary>
    public (long Added, long Taken) Changes
    {
        get
        {
            lock (_gate)
            {
                return (_added, _taken);
            }
        }
    }

    /// <summary>Gets the reading side's poll events: <c>POLLIN</c> while bytes are buffered, <c>POLLHUP</c> once the writer is gone (as Linux's pipes).</summary>
    public int ReaderEvents
    {
        get
        {
            lock (_gate)
            {
                return (_buffered > 0 ? PollEvents.Readable : 0) | (_writerClosed ? PollEvents.Hup : 0);
            }
        }
    }

    /// <summary>Gets the writing side's poll events: <c>POLLOUT</c> while there is room, <c>POLLERR</c> once the reader is gone (as Linux's pipes).</summary>
    public int WriterEvents
    {
        get
        {
            lock (_gate)
            {
                return (_readerClosed || _writerClosed || _buffered < _capacity ? PollEvents.Writable : 0) | (_readerClosed ? PollEvents.Err : 0);
            }
        }
    }

    /// <summary>Reads what is buffered (0 at end of file); waits for data unless <paramref name="blocking"/> is false (then <c>EAGAIN</c>).</summary>
    public int Receive(Span<byte> buffer, bool blocking, CancellationToken token) => ReadBuffer(buffer, blocking, token);

    /// <summary>Writes into the buffer; unless <paramref name="blocking"/>, writes what fits at once and raises <c>EAGAIN</c> when nothing does.</summary>
    public int Send(ReadOnlySpan<byte> data, bool blocking, CancellationToken token) => WriteBuffer(data, blocking, token);

    /// <summary>Closes the reading side: writers get <c>EPIPE</c>, buffered bytes are dropped.</summary>
    public void CloseReader() => CloseEnd(read: true);

    /// <summary>Closes the writing side: the reader gets end of file once the buffer is drained.</summary>
    public void CloseWriter() => CloseEnd(read: false);

    private int ReadBuffer(Span<byte> buffer, bool blocking, CancellationToken token)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_buffered > 0)
                {
                    var total = 0;
                    while (total < buffer.Length && _chunks.Count > 0)
                    {
                        var chunk = _chunks.Peek();
                        var n = Math.Min(chunk.Length - _offset, buffer.Length - total);
                        chunk.AsSpan(_offset, n).CopyTo(buffer[total..]);
                        total += n;
                        _offset += n;
                        if (_offset == chunk.Length)
                        {
                            _chunks.Dequeue();
                            _offset = 0;
                        }
                    }

                    _buffered -= total;
                    _taken++;
                    PythonInterpreter.ReleaseHostMemory(total);
                    Signal(_writable);
                    Readiness.Changed();
                    return total;
                }

                if (_writerClosed || buffer.Length == 0)
                {
                    return 0;
                }
            }

            if (!blocking)
            {
                throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
            }

            _readable.Wait(token);
        }
    }

    /// <summary>Copies <paramref name="data"/> into the buffer, at most the free space at a time, waiting for the reader in between.</summary>
    /// <returns>The bytes written: all of them, or fewer when the memory limit refused the rest after a first part.</returns>
    private int WriteBuffer(ReadOnlySpan<byte> data, bool blocking, CancellationToken token)
    {
        var written = 0;
        while (written < data.Length)
        {
            lock (_gate)
            {
                if (_readerClosed)
                {
                    if (written > 0)
                    {
                        return written;
                    }

                    throw new PythonIOException(Errno.EPIPE, "Broken pipe");
                }

                var free = _capacity - _buffered;
                if (free > 0)
                {
                    // Chunks stay below the large-object heap's threshold: the garbage of a long stream is collected young.
                    var n = Math.Min(Math.Min(free, data.Length - written), StreamChunk);
                    if (!PythonInterpreter.TryReserveHostMemory(n))
                    {
                        if (written > 0)
                        {
                            return written;
                        }

                        throw new PythonIOException(Errno.ENOMEM, "Cannot allocate memory: the pipe's buffer would pass PythonRuntime:MemoryLimit");
                    }

                    _chunks.Enqueue(data.Slice(written, n).ToArray());
                    _buffered += n;
                    _added++;
                    written += n;
                    Signal(_readable);
                    Readiness.Changed();
                    continue;
                }
            }

            if (!blocking)
            {
                return written > 0 ? written : throw new PythonIOException(Errno.EAGAIN, "Resource temporarily unavailable");
            }

            try
            {
                _writable.Wait(token);
            }
            catch (OperationCanceledException) when (written > 0 && CallContext.Current is { } call && !call.CancellationToken.IsCancellationRequested)
            {
                // A signal interrupted the write after a part was written: that part is the result, as for a POSIX
                // write that a signal interrupts (the handler runs at the call's next check). A cancelled call raises.
                return written;
            }
        }

        return written;
    }

    /// <summary>Wakes a waiter; a count already pending wakes it as well, so the count stays small.</summary>
    private static void Signal(SemaphoreSlim semaphore)
    {
        if (semaphore.CurrentCount == 0)
        {
            semaphore.Release();
        }
    }

    private void CloseEnd(bool read)
    {
        lock (_gate)
        {
            if (read)
            {
                // Nobody can read what is buffered any more: give its memory back now.
                _readerClosed = true;
                PythonInterpreter.ReleaseHostMemory(_buffered);
                _buffered = 0;
                _offset = 0;
                _chunks.Clear();
            }
            else
            {
                _writerClosed = true;
            }

            _added++;
            _taken++;
        }

        Signal(_readable);
        Signal(_writable);
        Readiness.Changed();
        if (read)
        {
            Source?.Dispose();
            Interlocked.Exchange(ref _readerClosedAction, null)?.Invoke();
        }
        else
        {
            Sink?.Dispose();
        }
    }

    /// <summary>One end of the pipe as an open file.</summary>
    internal sealed class End(VirtualPipe pipe, bool read) : OpenFile
    {
        public VirtualPipe Pipe => pipe;

        public override bool Readable => read;

        public override bool Writable => !read;

        /// <summary>
        /// A read end: data or end of file. A write end polls readable only once its reader is gone (Linux's
        /// <c>POLLERR</c>): asyncio's pipe transports watch a pipe's write end for reading to notice a child's exit.
        /// </summary>
        public override bool ReadReady => read ? pipe.Source is not null || pipe.HasData : pipe.Sink is null && pipe.ReaderClosed;

        public override bool WriteReady => read || pipe.Sink is not null || pipe.CanWrite;

        /// <summary>As Linux's pipes: a read end reports only <c>POLLIN</c>/<c>POLLHUP</c>, a write end only <c>POLLOUT</c>/<c>POLLERR</c>.</summary>
        public override int PollEvents => read
            ? pipe.Source is not null ? State.PollEvents.Readable : pipe.ReaderEvents
            : pipe.Sink is not null ? State.PollEvents.Writable : pipe.WriterEvents;

        public override (long In, long Out) Wakeups => read ? (pipe.Changes.Added, 0) : (0, pipe.Changes.Taken);

        public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
        {
            if (!read)
            {
                throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            }

            if (pipe.Source is { } source)
            {
                // A pipe read may return less than asked: one chunk at a time keeps the copy small.
                var array = new byte[Math.Min(buffer.Length, StreamChunk)];
                var task = source.ReadAsync(array, 0, array.Length, cancellationToken);
                var n = task.GetAwaiter().GetResult();
                array.AsSpan(0, n).CopyTo(buffer);
                return n;
            }

            return pipe.ReadBuffer(buffer, Blocking, cancellationToken);
        }

        public override int Write(ReadOnlySpan<byte> data)
        {
            if (read)
            {
                throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
            }

            if (pipe.Sink is { } sink)
            {
                try
                {
                    // The provider's stream may copy what it is given: hand it one bounded chunk at a time.
                    for (var offset = 0; offset < data.Length; offset += StreamChunk)
                    {
                        sink.Write(data.Slice(offset, Math.Min(StreamChunk, data.Length - offset)));
                    }

                    sink.Flush();
                }
                catch (IOException e)
                {
                    throw new PythonIOException(Errno.EPIPE, "Broken pipe", e);
                }

                return data.Length;
            }

            return pipe.WriteBuffer(data, Blocking, CallContext.Current?.WaitToken ?? CancellationToken.None);
        }

        public override PythonFileStatus Status(TimeProvider clock)
        {
            var now = clock.GetUtcNow();
            return new PythonFileStatus(PythonFileKind.Other, 0, StatResult.SIfIfo | 0x180, now, now, now);
        }

        protected override void Dispose() => pipe.CloseEnd(read);
    }
}
