using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// Maps the runtime paths that jobs name (<c>/app/sales_report.py</c>) to what the configured backend opens. The Managed
/// backend serves them through the mount table of <c>PythonRuntime:FileSystem:Mounts</c>; the Native backend opens host
/// paths directly, so a path under a host mount becomes the mount's host file.
/// </summary>
internal sealed class RuntimePaths(IOptions<PythonRuntimeOptions> options, IHostEnvironment environment)
{
    /// <summary>Maps a runtime path for the configured backend.</summary>
    /// <param name="runtimePath">An absolute path of the runtime's file system.</param>
    /// <returns>The path to give the runtime.</returns>
    public string ForBackend(string runtimePath) => ForBackend(options.Value, environment.ContentRootPath, runtimePath);

    /// <summary>Maps a runtime path for the backend of <paramref name="options"/>.</summary>
    /// <param name="options">The runtime's options.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to.</param>
    /// <param name="runtimePath">An absolute path of the runtime's file system.</param>
    /// <returns>The same path for the Managed backend; for the Native backend, the host path under the longest host mount, or the path itself.</returns>
    public static string ForBackend(PythonRuntimeOptions options, string contentRoot, string runtimePath)
    {
        if (options.Backend != PythonBackend.Native)
        {
            return runtimePath;
        }

        var mount = options.FileSystem.Mounts
            .Where(m => !m.InMemory && !string.IsNullOrWhiteSpace(m.HostPath) && IsUnder(runtimePath, m.Path))
            .MaxBy(static m => m.Path.Length);
        if (mount is null)
        {
            return runtimePath;
        }

        var rest = runtimePath[mount.Path.Length..].TrimStart('/');
        var hostRoot = Path.GetFullPath(mount.HostPath!, contentRoot);
        return rest.Length == 0 ? hostRoot : Path.Combine(hostRoot, rest);
    }

    private static bool IsUnder(string path, string root) =>
        path == root || root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal);
}
