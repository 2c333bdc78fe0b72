using System.Text;
using Microsoft.Extensions.Logging;

namespace PyHosting.Samples.WorkerService;

/// <summary>Receives a job's Python output (<c>sys.stdout</c> or <c>sys.stderr</c>) and logs it line by line under the job's name.</summary>
internal sealed class JobOutputWriter(ILogger logger, string job, bool isError) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            while (!buffer.IsEmpty)
            {
                var newline = buffer.IndexOf('\n');
                if (newline < 0)
                {
                    _line.Append(buffer);
                    return;
                }

                _line.Append(buffer[..newline]);
                Emit();
                buffer = buffer[(newline + 1)..];
            }
        }
    }

    /// <summary>Logs a last line that has no newline.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            if (_line.Length > 0)
            {
                Emit();
            }
        }
    }

    private void Emit()
    {
        var line = _line.ToString().TrimEnd('\r');
        _line.Clear();
        if (isError)
        {
            Log.JobErrorOutput(logger, job, line);
        }
        else
        {
            Log.JobOutput(logger, job, line);
        }
    }
}
