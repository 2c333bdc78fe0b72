namespace PyHosting;

/// <summary>Child processes of the Managed backend (<c>PythonRuntime:Processes</c>).</summary>
public sealed class PythonProcessOptions
{
    /// <summary>Gets the executables that may be started (names or absolute paths); empty means any, when <c>Permissions:CreateProcess</c> is true.</summary>
    public IList<string> AllowedExecutables { get; } = [];

    /// <summary>
    /// Gets the names of environment variables a child process may receive besides the default allow-list
    /// (<c>PATH</c>, <c>HOME</c>, <c>LANG</c>, <c>LANGUAGE</c>, <c>LC_*</c>, <c>TZ</c>, <c>TERM</c>, <c>USER</c>, <c>LOGNAME</c>,
    /// <c>TMPDIR</c>, <c>PWD</c>, <c>COLUMNS</c>, <c>LINES</c>) and the names of <c>Permissions:EnvironmentVariables</c>.
    /// An entry that ends in <c>*</c> allows every name with that prefix (<c>APP_*</c>); <c>*</c> alone allows every name.
    /// Variables that change how a program is loaded or interpreted (<c>LD_*</c>, <c>BASH_FUNC_*</c>, <c>PYTHON*</c>, ...)
    /// never pass, even when listed here or matched by a prefix.
    /// </summary>
    public IList<string> EnvironmentVariables { get; } = [];
}
