namespace PyHosting;

/// <summary>The Python interpreter cannot be started: the library is missing, or the interpreter is not in the state the runtime requires.</summary>
public sealed class PythonStartupException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PythonStartupException"/> class.</summary>
    public PythonStartupException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonStartupException"/> class.</summary>
    /// <param name="message">What went wrong and how to fix it.</param>
    public PythonStartupException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonStartupException"/> class.</summary>
    /// <param name="message">What went wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public PythonStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
