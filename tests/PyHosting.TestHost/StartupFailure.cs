using System.Text;
using Microsoft.Extensions.Options;

namespace PyHosting.TestHost;

/// <summary>Formats a start-up failure for standard error: the exception type and every message, one per line.</summary>
internal static class StartupFailure
{
    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            text.Append(e.GetType().FullName).Append(": ");
            if (e is OptionsValidationException validation)
            {
                text.AppendLine("options validation failed");
                foreach (var failure in validation.Failures)
                {
                    text.Append("  ").AppendLine(failure);
                }
            }
            else
            {
                text.AppendLine(e.Message);
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Skip(1))
                {
                    text.Append(Describe(inner));
                }
            }
        }

        return text.ToString();
    }
}
