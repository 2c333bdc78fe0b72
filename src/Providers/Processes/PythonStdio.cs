namespace PyHosting.Providers;

/// <summary>What to do with one standard stream of a child process.</summary>
public enum PythonStdio
{
    /// <summary>Connect a pipe, exposed as a stream on <see cref="IPythonProcess"/>.</summary>
    Pipe,

    /// <summary>Connect to the null device.</summary>
    Null,

    /// <summary>Share the host process's own stream.</summary>
    Inherit,
}
