namespace PyHosting;

/// <summary>A Python exception raised by code run in an <see cref="IPythonRuntime"/>.</summary>
public sealed class PythonScriptException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PythonScriptException"/> class.</summary>
    public PythonScriptException()
        : this("Exception", "Python error", string.Empty)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonScriptException"/> class.</summary>
    /// <param name="message">The message.</param>
    public PythonScriptException(string message)
        : this("Exception", message, string.Empty)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PythonScriptException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PythonScriptException(string message, Exception innerException)
        : base(message, innerException)
    {
        PythonType = "Exception";
        PythonMessage = message;
        PythonTraceback = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="PythonScriptException"/> class.</summary>
    /// <param name="pythonType">The Python exception's qualified type name, e.g. <c>ZeroDivisionError</c>.</param>
    /// <param name="pythonMessage">The Python exception's message (<c>str(e)</c>).</param>
    /// <param name="pythonTraceback">The formatted Python traceback.</param>
    public PythonScriptException(string pythonType, string pythonMessage, string pythonTraceback)
        : base($"{pythonType}: {pythonMessage}")
    {
        PythonType = pythonType;
        PythonMessage = pythonMessage;
        PythonTraceback = pythonTraceback;
    }

    /// <summary>Gets the Python exception's type name, e.g. <c>ZeroDivisionError</c> or <c>json.decoder.JSONDecodeError</c>.</summary>
    public string PythonType { get; }

    /// <summary>Gets the Python exception's message (<c>str(e)</c>).</summary>
    public string PythonMessage { get; }

    /// <summary>Gets the formatted Python traceback (as <c>traceback.format_exception</c> prints it).</summary>
    public string PythonTraceback { get; }

    /// <inheritdoc />
    public override string? StackTrace => string.IsNullOrEmpty(PythonTraceback) ? base.StackTrace : PythonTraceback + base.StackTrace;
}
