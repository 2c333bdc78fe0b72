namespace PyHosting.Providers;

/// <summary>
/// Starts child processes for Python code in the Managed backend (<c>subprocess</c>,
/// <c>os.system</c>, <c>os.popen</c>), after the runtime has checked
/// <c>PythonRuntime:Permissions:CreateProcess</c>.
/// </summary>
/// <remarks>Implementations must be thread-safe. Errors map to <c>errno</c> as for <see cref="IPythonFileSystem"/>; an executable that is not found is a <see cref="FileNotFoundException"/> (<c>ENOENT</c>), a refused one an <see cref="UnauthorizedAccessException"/> (<c>EACCES</c>).</remarks>
public interface IPythonProcessProvider
{
    /// <summary>Starts a process.</summary>
    /// <param name="startInfo">What to start and how.</param>
    /// <returns>The running process; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The executable does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Starting this executable is refused.</exception>
    /// <exception cref="PythonIOException">Another failure with a precise errno.</exception>
    IPythonProcess Start(PythonProcessStartInfo startInfo);
}
