using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PyHosting.Hosting.Internal;

/// <summary>The directory that relative host paths of the configuration are relative to.</summary>
internal static class ContentRoot
{
    /// <summary>Gets the host's content root, or the current directory outside a host.</summary>
    /// <param name="services">The service provider.</param>
    /// <returns>An absolute directory path.</returns>
    public static string Get(IServiceProvider services) => Of(services.GetService<IHostEnvironment>());

    /// <summary>Gets the content root of <paramref name="environment"/>, or the current directory without one.</summary>
    /// <param name="environment">The host's environment, if any.</param>
    /// <returns>An absolute directory path.</returns>
    public static string Of(IHostEnvironment? environment)
    {
        var root = environment?.ContentRootPath;
        return string.IsNullOrEmpty(root) ? Directory.GetCurrentDirectory() : Path.GetFullPath(root);
    }
}
