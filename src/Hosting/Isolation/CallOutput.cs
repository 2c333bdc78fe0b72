using PyHosting.Internal;

namespace PyHosting.Hosting.Isolation;

/// <summary>Where the output of one call goes in the host: the caller's redirection, or the runtime's default loggers.</summary>
/// <param name="sink">The sink.</param>
internal sealed class CallOutput(OutputSink sink)
{
    /// <summary>Writes output the worker forwarded.</summary>
    /// <param name="stream">1 for standard output, 2 for standard error.</param>
    /// <param name="text">The text.</param>
    public void Write(int stream, string text) => sink.Write(stream, text);

    /// <summary>Flushes a line left without its end at the end of the call.</summary>
    public void Flush() => sink.Flush();
}
