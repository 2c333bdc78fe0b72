using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Merges the native extensions listed in configuration and registered in code: the first
/// occurrence of each name is kept, so duplicates are ignored.
/// </summary>
internal sealed class PythonRuntimePostConfigureOptions : IPostConfigureOptions<PythonRuntimeOptions>
{
    public void PostConfigure(string? name, PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = options.NativeExtensions;
        for (var i = 0; i < list.Count; i++)
        {
            if (!seen.Add(list[i]))
            {
                list.RemoveAt(i--);
            }
        }
    }
}
