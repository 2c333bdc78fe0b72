namespace PyHosting.Hosting.Internal;

/// <summary>
/// Configuration values that could not be converted while binding the <c>PythonRuntime</c>
/// section. Binding skips them (so that it does not throw half-way) and the custom validator
/// reports them with every other problem.
/// </summary>
internal sealed class PythonConfigurationErrors
{
    private volatile IReadOnlyList<string> _errors = [];

    /// <summary>Gets the messages of the last binding.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Replaces the messages with those of a new binding.</summary>
    /// <param name="errors">The messages.</param>
    public void Set(IReadOnlyList<string> errors) => _errors = errors;
}
