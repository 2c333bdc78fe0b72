namespace PyHosting;

/// <summary>
/// Observes a runtime created by <see cref="PythonRuntimeFactory"/>: each call and each refused
/// operation. A host passes one to <see cref="PythonRuntimeFactory.Create(PythonRuntimeOptions, Providers.IPythonFileSystem, Providers.IPythonProcessProvider, TimeProvider, Microsoft.Extensions.Logging.ILoggerFactory, IPythonRuntimeObserver?)"/>
/// to publish metrics and traces.
/// </summary>
/// <remarks>
/// Both methods run on the thread that runs the call, so <see cref="System.Diagnostics.Activity.Current"/>
/// flows from the caller; they must return quickly and must not throw.
/// </remarks>
public interface IPythonRuntimeObserver
{
    /// <summary>Called when a call starts, before it waits for Python's global interpreter lock.</summary>
    /// <param name="entryPoint">
    /// What is called: <c>exec</c>, <c>eval</c>, <c>module.function</c> or the script's path; never source code.
    /// </param>
    /// <returns>The observation, completed once when the call ends.</returns>
    IPythonCallObservation OnCallStarting(string entryPoint);

    /// <summary>Called for each operation of Python code that the Managed backend refuses, while the refusal is raised.</summary>
    /// <param name="permissionKey">
    /// The configuration key that would allow the operation, usually one of <see cref="PythonRuntimeConfigurationKeys"/>,
    /// such as <see cref="PythonRuntimeConfigurationKeys.CreateProcess"/>.
    /// </param>
    void OnPermissionDenied(string permissionKey);
}
