namespace PyHosting;

/// <summary>What file access Python code has (<c>PythonRuntime:Permissions:IO</c>).</summary>
public enum IOAccess
{
    /// <summary>No file access, except reading the Python home and importing from module paths. The default.</summary>
    None = 0,

    /// <summary>Files may be read and listed, never changed.</summary>
    ReadOnly = 1,

    /// <summary>Files may be read and written, as the file-system provider allows.</summary>
    All = 2,
}
