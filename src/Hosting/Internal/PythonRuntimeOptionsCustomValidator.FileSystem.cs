using System.Globalization;
using Microsoft.Extensions.Options;
using PyHosting.Providers;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules of <c>PythonRuntime:FileSystem</c>.</summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator
{
    private void ValidateFileSystem(PythonFileSystemOptions fileSystem, ValidateOptionsResultBuilder errors)
    {
        var workingDirectory = fileSystem.WorkingDirectory;
        if (string.IsNullOrEmpty(workingDirectory))
        {
            errors.AddError($"{K(PythonRuntimeConfigurationKeys.WorkingDirectory)} is empty; set an absolute path in the runtime's file system, such as /.");
        }
        else
        {
            ValidateRuntimePath(K(PythonRuntimeConfigurationKeys.WorkingDirectory), workingDirectory, "such as /", errors);
        }

        var mountedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fileSystem.Mounts.Count; i++)
        {
            var mount = fileSystem.Mounts[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"{K(PythonRuntimeConfigurationKeys.Mounts)}:{i}");
            ValidateMountPath(key, i, mount, mountedBy, errors);
            ValidateMountSource(key, mount, errors);
        }
    }

    private void ValidateMountPath(string key, int index, PythonMountOptions mount, Dictionary<string, int> mountedBy, ValidateOptionsResultBuilder errors)
    {
        if (string.IsNullOrEmpty(mount.Path))
        {
            errors.AddError($"{key}:Path is empty; set an absolute path inside the runtime, such as /app.");
            return;
        }

        if (!ValidateRuntimePath(key + ":Path", mount.Path, "such as /app", errors))
        {
            return;
        }

        if (mountedBy.TryGetValue(mount.Path, out var first))
        {
            errors.AddError(string.Create(CultureInfo.InvariantCulture, $"{key}:Path '{mount.Path}' is already mounted by {K(PythonRuntimeConfigurationKeys.Mounts)}:{first}; mount each path once."));
        }
        else
        {
            mountedBy[mount.Path] = index;
        }
    }

    private void ValidateMountSource(string key, PythonMountOptions mount, ValidateOptionsResultBuilder errors)
    {
        var hasHostPath = !string.IsNullOrWhiteSpace(mount.HostPath);
        if (mount.InMemory)
        {
            if (hasHostPath)
            {
                errors.AddError($"{key}:HostPath '{mount.HostPath}' cannot be combined with {key}:InMemory=true; remove one of them.");
            }

            if (mount.MaxBytes <= 0)
            {
                errors.AddError(string.Create(CultureInfo.InvariantCulture, $"{key}:MaxBytes '{mount.MaxBytes}' must be greater than 0 for an in-memory mount; set a size limit in bytes, such as 67108864."));
            }

            return;
        }

        if (!hasHostPath)
        {
            errors.AddError($"{key}:HostPath is not set; set the host directory that serves '{mount.Path}', or set {key}:InMemory=true.");
            return;
        }

        var full = Path.GetFullPath(mount.HostPath!, _contentRoot);
        if (File.Exists(full))
        {
            errors.AddError($"{key}:HostPath '{mount.HostPath}' is a file ({full}); mount a directory.");
        }
        else if (!Directory.Exists(full))
        {
            errors.AddError($"{key}:HostPath '{mount.HostPath}' does not exist ({full}, relative paths are relative to the content root); create the directory or correct the path.");
        }
    }

    /// <summary>Checks a path of the runtime's file system: absolute and normalised.</summary>
    /// <returns><see langword="true"/> when the path is valid.</returns>
    private bool ValidateRuntimePath(string key, string path, string example, ValidateOptionsResultBuilder errors)
    {
        if (path[0] != '/' || path.Contains('\0', StringComparison.Ordinal))
        {
            errors.AddError($"{key} '{path}' must be an absolute path in the runtime's file system, {example}.");
            return false;
        }

        if (!PythonPath.IsNormalized(path))
        {
            errors.AddError($"{key} '{path}' is not normalised; use '{PythonPath.Normalize(path)}'.");
            return false;
        }

        return true;
    }
}
