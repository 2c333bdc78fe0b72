using System.Text;
using Microsoft.Extensions.Logging;

namespace PyHosting.Internal;

/// <summary>
/// Where Python's standard output and error go for one call (or, without a call, for the whole
/// runtime): caller-supplied writers, or the <c>PyHosting.Python.Stdout</c>/<c>.Stderr</c> loggers,
/// one log entry per line (a line longer than <see cref="MaxLine"/> characters in several entries).
/// </summary>
internal sealed class OutputSink
{
    /// <summary>The longest line logged as one entry; a longer one is split.</summary>
    public const int MaxLine = 8192;

    private readonly TextWriter? _out;
    private readonly TextWriter? _err;
    private readonly ILogger _outLogger;
    private readonly ILogger _errLogger;
    private readonly StringBuilder _outLine = new();
    private readonly StringBuilder _errLine = new();
    private readonly Lock _gate = new();

    public OutputSink(TextWriter? standardOutput, TextWriter? standardError, ILogger outLogger, ILogger errLogger)
    {
        _out = standardOutput;
        _err = standardError ?? standardOutput;
        _outLogger = outLogger;
        _errLogger = errLogger;
    }

    public void Write(int fd, ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            var writer = fd == 2 ? _err : _out;
            if (writer is not null)
            {
                writer.Write(text);
                return;
            }

            var line = fd == 2 ? _errLine : _outLine;
            var logger = fd == 2 ? _errLogger : _outLogger;
            // A line longer than MaxLine characters is logged in pieces of MaxLine: the buffer never holds more.
            while (!text.IsEmpty)
            {
                var room = MaxLine - line.Length;
                var nl = text[..Math.Min(text.Length, room)].IndexOf('\n');
                if (nl < 0)
                {
                    var part = text[..Math.Min(text.Length, room)];
                    line.Append(part);
                    text = text[part.Length..];
                    if (line.Length == MaxLine)
                    {
                        Emit(logger, line, fd);
                    }

                    continue;
                }

                line.Append(text[..nl]);
                Emit(logger, line, fd);
                text = text[(nl + 1)..];
            }
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (_outLine.Length > 0)
            {
                Emit(_outLogger, _outLine, 1);
            }

            if (_errLine.Length > 0)
            {
                Emit(_errLogger, _errLine, 2);
            }

            _out?.Flush();
            if (!ReferenceEquals(_err, _out))
            {
                _err?.Flush();
            }
        }
    }

    private static void Emit(ILogger logger, StringBuilder line, int fd)
    {
        var text = line.ToString();
        line.Clear();
        if (fd == 2)
        {
            Log.PythonStderr(logger, text);
        }
        else
        {
            Log.PythonStdout(logger, text);
        }
    }
}
