using Microsoft.Extensions.Options;

namespace PyHosting.Hosting;

/// <summary>
/// Reports why a host could not start because of its configuration: the messages of every options validation that
/// failed (the runtime's, and the application's own <c>ValidateOnStart</c> options) and of a runtime that refused to start,
/// one per line, without stack traces, which say nothing about a configuration value.
/// </summary>
public static class PythonRuntimeStartupErrors
{
    /// <summary>The exit code for an application that could not start because of its configuration: <c>2</c>.</summary>
    public const int ExitCode = 2;

    /// <summary>Writes the configuration problems that <paramref name="exception"/> carries, if it carries only those.</summary>
    /// <param name="exception">
    /// What starting the host threw: an <see cref="OptionsValidationException"/>, a <see cref="PythonStartupException"/>, or an
    /// <see cref="AggregateException"/> of them.
    /// </param>
    /// <param name="writer">Where to write, typically <see cref="Console.Error"/>: a heading, then each problem on its own indented line.</param>
    /// <returns>
    /// <see langword="true"/> when the problems were written; <see langword="false"/>, writing nothing, for any other
    /// exception (a fault in the application's code, for example), which the caller should let propagate with its stack trace.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> or <paramref name="writer"/> is <see langword="null"/>.</exception>
    public static bool TryReport(Exception exception, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(writer);
        var messages = new List<string>();
        if (!TryCollect(exception, messages))
        {
            return false;
        }

        writer.WriteLine("The application could not start because of its configuration:");
        foreach (var message in messages)
        {
            writer.WriteLine("  " + message);
        }

        writer.Flush();
        return true;
    }

    private static bool TryCollect(Exception exception, List<string> messages)
    {
        switch (exception)
        {
            case OptionsValidationException validation:
                messages.AddRange(validation.Failures);
                return true;
            case PythonStartupException startup:
                messages.AddRange(startup.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                return true;
            case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                return aggregate.InnerExceptions.All(inner => TryCollect(inner, messages));
            default:
                return false;
        }
    }
}
