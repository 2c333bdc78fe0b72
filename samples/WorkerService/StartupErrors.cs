using Microsoft.Extensions.Options;

namespace PyHosting.Samples.WorkerService;

/// <summary>Writes why the host could not start: one line per validation failure.</summary>
internal static class StartupErrors
{
    public static async Task WriteAsync(TextWriter writer, Exception error)
    {
        await writer.WriteLineAsync("The worker could not start:");
        foreach (var message in Messages(error))
        {
            await writer.WriteLineAsync("  " + message);
        }

        await writer.FlushAsync();
    }

    internal static IEnumerable<string> Messages(Exception error) => error switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Messages),
        OptionsValidationException validation => validation.Failures,
        _ => [error.Message],
    };
}
