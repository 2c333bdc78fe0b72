namespace PyHosting.Sandbox.ProviderFaults.Tests;

/// <summary>A writable stream that accepts <paramref name="capacity"/> bytes, then fails as a full disk does.</summary>
internal sealed class FailingStream(int capacity, Func<Exception> failure) : Stream
{
    private readonly MemoryStream _accepted = new();

    public byte[] Accepted => _accepted.ToArray();

    public bool FailFlush { get; init; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _accepted.Length;

    public override long Position
    {
        get => _accepted.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var room = capacity - (int)_accepted.Length;
        if (buffer.Length > room)
        {
            _accepted.Write(buffer[..Math.Max(0, room)]);
            throw failure();
        }

        _accepted.Write(buffer);
    }

    public override void Flush()
    {
        if (FailFlush)
        {
            throw failure();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _accepted.Dispose();
        }

        base.Dispose(disposing);
    }
}
