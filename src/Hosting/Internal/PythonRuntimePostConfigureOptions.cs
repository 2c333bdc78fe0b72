using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Finishes the options after every Configure delegate: the native extensions listed in configuration and registered in
/// code are merged (the first occurrence of each name is kept, so duplicates are ignored), and a relative
/// <c>PythonRuntime:VirtualEnvironment</c> is made absolute against the content root, as mount host paths are, because
/// the runtime itself resolves relative paths against the current directory. The runtime learns its configuration
/// section (<c>PythonRuntime</c>, or <c>PythonRuntime:Runtimes:{name}</c>), whose keys its refusals and errors name.
/// </summary>
/// <param name="environment">The host's environment; <see langword="null"/> outside a host (the current directory is the root).</param>
internal sealed class PythonRuntimePostConfigureOptions(IHostEnvironment? environment = null) : IPostConfigureOptions<PythonRuntimeOptions>
{
    public void PostConfigure(string? name, PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The section the runtime was bound from: refusals and errors inside the runtime name its own keys.
        options.ConfigurationSection = RuntimeNames.SectionPath(name ?? Options.DefaultName);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = options.NativeExtensions;
        for (var i = 0; i < list.Count; i++)
        {
            if (!seen.Add(list[i]))
            {
                list.RemoveAt(i--);
            }
        }

        if (!string.IsNullOrWhiteSpace(options.VirtualEnvironment))
        {
            options.VirtualEnvironment = Path.GetFullPath(options.VirtualEnvironment, ContentRoot.Of(environment));
        }
    }
}
