namespace PyHosting;

/// <summary>
/// The embedded Python runtime. Any thread may call it; calls are serialised by Python's global
/// interpreter lock, which is held only while Python code runs.
/// </summary>
/// <remarks>
/// Values crossing the boundary are plain data: <see langword="null"/>, booleans, integers,
/// floating-point numbers, strings, byte arrays, lists and string-keyed dictionaries. A Python
/// error surfaces as <see cref="PythonScriptException"/>; cancellation and
/// <c>PythonRuntime:ExecutionTimeout</c> interrupt running Python code.
/// </remarks>
public interface IPythonRuntime
{
    /// <summary>Gets the backend this runtime runs on.</summary>
    PythonBackend Backend { get; }

    /// <summary>Runs Python statements in the runtime's <c>__main__</c> namespace.</summary>
    /// <param name="code">The Python source.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>A task that completes when the code has run.</returns>
    /// <exception cref="PythonScriptException">The code raised an exception.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    /// <exception cref="InvalidOperationException">The runtime is not started or has stopped.</exception>
    Task ExecuteAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Evaluates a Python expression in the runtime's <c>__main__</c> namespace and converts the result.</summary>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="expression">The Python expression.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="PythonScriptException">The expression raised an exception.</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default);

    /// <summary>Imports a module and calls one of its functions with plain-data arguments.</summary>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="module">The dotted module name, found on the module paths.</param>
    /// <param name="function">The function's name.</param>
    /// <param name="args">The positional arguments (plain data only).</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="ArgumentException">An argument is not plain data.</exception>
    /// <exception cref="PythonScriptException">The import or the call raised an exception.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default);

    /// <summary>Runs a script file as <c>__main__</c>, like <c>python path</c>.</summary>
    /// <param name="path">The script's path: in the runtime's file system for the Managed backend, on the host for the Native backend.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>A task that completes when the script has run.</returns>
    /// <exception cref="PythonScriptException">The script raised an exception or could not be read.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    Task RunFileAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the Python output (<c>sys.stdout</c>, <c>sys.stderr</c>) of the calls started in the
    /// current asynchronous flow to the given writers, until the returned scope is disposed.
    /// Without a scope, output goes to the loggers <c>PyHosting.Python.Stdout</c> and <c>PyHosting.Python.Stderr</c>.
    /// </summary>
    /// <param name="standardOutput">Receives standard output.</param>
    /// <param name="standardError">Receives standard error; <see langword="null"/> for <paramref name="standardOutput"/>.</param>
    /// <returns>The scope; dispose it to restore the previous destination.</returns>
    IDisposable RedirectOutput(TextWriter standardOutput, TextWriter? standardError = null);
}
