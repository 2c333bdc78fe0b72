using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules of <c>PythonRuntime:VirtualEnvironment</c>.</summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator
{
    /// <summary>
    /// Reads the virtual environment as the runtime will when it starts, and reports the same problems: a directory that is
    /// missing or is not a CPython 3.11 virtual environment, <c>.pth</c> lines and symbolic links the Managed backend does not
    /// follow, and every native extension inside that is not registered in <c>PythonRuntime:NativeExtensions</c>.
    /// </summary>
    private void ValidateVirtualEnvironment(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        if (options.VirtualEnvironment is { } configured && string.IsNullOrWhiteSpace(configured) && configured.Length > 0)
        {
            errors.AddError($"{K(PythonRuntimeConfigurationKeys.VirtualEnvironment)} is blank; set the directory of a virtual environment made with 'python3.11 -m venv', or remove the key.");
            return;
        }

        try
        {
            foreach (var problem in PythonRuntimeFactory.CheckVirtualEnvironment(options, _contentRoot))
            {
                errors.AddError(problem);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.AddError($"{K(PythonRuntimeConfigurationKeys.VirtualEnvironment)} '{options.VirtualEnvironment}' cannot be read ({e.Message}); make the directory readable by the host.");
        }
    }
}
