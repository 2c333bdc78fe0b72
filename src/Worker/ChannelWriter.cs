using System.Text;
using PyHosting.Hosting.Isolation.Protocol;

namespace PyHosting.Worker;

/// <summary>Forwards the Python output of one call to the host, one frame per write.</summary>
/// <param name="channel">The channel.</param>
/// <param name="callId">The call.</param>
/// <param name="stream">1 for standard output, 2 for standard error.</param>
internal sealed class ChannelWriter(FrameChannel channel, long callId, int stream) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Send(value.ToString());

    public override void Write(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Send(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (!buffer.IsEmpty)
        {
            Send(buffer.ToString());
        }
    }

    private void Send(string text)
    {
        try
        {
            channel.Write(new WorkerMessage { Kind = MessageKind.Output, CallId = callId, Stream = stream, Text = text });
        }
        catch (IOException)
        {
            // The host has gone; the read loop ends the worker.
        }
    }
}
