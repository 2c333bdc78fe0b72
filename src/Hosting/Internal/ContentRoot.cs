using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PyHosting.Hosting.Internal;

/// <summary>The directory that relative host paths of the configuration are relative to.</summary>
internal static class ContentRoot
{
    /// <summary>Gets the host's content root, or the current directory outside a host.</summary>
    /// <param name="services">The service provider.</param>
    /// <returns>An absolute directory path.</returns>
    public static string Get(IServiceProvider services)
    {
        var root = services.GetService<IHostEnvironment>()?.ContentRootPath;
        return string.IsNullOrEmpty(root) ? Directory.GetCurrentDirectory() : Path.GetFullPath(root);
    }
}
