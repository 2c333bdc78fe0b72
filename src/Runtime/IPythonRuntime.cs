namespace PyHosting;

/// <summary>
/// The embedded Python runtime. Any thread may call it; calls are serialised by Python's global
/// interpreter lock, which is held only while Python code runs.
/// </summary>
/// <remarks>
/// Values crossing the boundary are data, copied: <see langword="null"/>, booleans, numbers, strings,
/// byte arrays, dates and times, <see cref="decimal"/>, <see cref="Guid"/>, lists, sets, dictionaries, and
/// records or classes made of those (as dicts). Results are converted strictly to the type asked for:
/// <c>None</c> only to nullable and reference types, no rounding, no parsing of strings; a value that does not
/// fit is an <see cref="InvalidCastException"/> naming both types. No .NET object is ever handed to Python. A
/// Python error surfaces as <see cref="PythonScriptException"/>; cancellation and
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
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data: <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, <see cref="List{T}"/> of <see cref="object"/>, and so on).</typeparam>
    /// <param name="expression">The Python expression.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="PythonScriptException">The expression raised an exception.</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates a Python expression in the runtime's <c>__main__</c> namespace and converts the result, blocking the
    /// calling thread: the synchronous counterpart of <see cref="EvaluateAsync{T}"/>, for short calls where a task and a
    /// thread hand-off would cost more than the Python code itself.
    /// </summary>
    /// <remarks>
    /// The expression runs on the calling thread when that thread's stack holds the recursion limit in force, at
    /// 4 KiB per level plus 512 KiB (about 4.5 MiB at CPython's default limit of 1,000, which a process's main thread
    /// has), and otherwise on one of the runtime's threads while the caller waits. In the Managed backend, once a
    /// thread smaller than the runtime's own (64 MiB) has run a call this way, no call can raise the recursion limit
    /// (<c>sys.setrecursionlimit</c>) beyond what that thread's stack holds. Cancellation and
    /// <c>PythonRuntime:ExecutionTimeout</c> interrupt the call as they do an asynchronous one, but C code that never
    /// checks for interrupts keeps the calling thread until it returns. A repeated short expression is compiled once.
    /// The default implementation blocks on <see cref="EvaluateAsync{T}"/>.
    /// </remarks>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="expression">The Python expression.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="PythonScriptException">The expression raised an exception.</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    /// <exception cref="InvalidOperationException">The runtime is not started or has stopped.</exception>
    T? Evaluate<T>(string expression, CancellationToken cancellationToken = default)
        => EvaluateAsync<T>(expression, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Imports a module and calls one of its functions with positional arguments, blocking the calling thread: the
    /// synchronous counterpart of <see cref="InvokeAsync{T}(string, string, object?[], CancellationToken)"/>.
    /// Where it runs, and how it is interrupted, is as for <see cref="Evaluate{T}"/>.
    /// </summary>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="module">The dotted module name, found on the module paths.</param>
    /// <param name="function">The function's name.</param>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="ArgumentException">An argument has no Python counterpart.</exception>
    /// <exception cref="PythonScriptException">The import or the call raised an exception.</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    /// <exception cref="InvalidOperationException">The runtime is not started or has stopped.</exception>
    T? Invoke<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default)
        => InvokeAsync<T>(module, function, args, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Imports a module and calls one of its functions with positional arguments.</summary>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="module">The dotted module name, found on the module paths.</param>
    /// <param name="function">The function's name.</param>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="ArgumentException">An argument has no Python counterpart.</exception>
    /// <exception cref="PythonScriptException">The import or the call raised an exception.</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
#pragma warning disable RS0026 // The overloads differ by a required parameter (kwargs), so no call can bind to both.
    Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default);

    /// <summary>Imports a module and calls one of its functions with positional and keyword arguments.</summary>
    /// <typeparam name="T">The .NET type of the result (use <see cref="object"/> for plain data).</typeparam>
    /// <param name="module">The dotted module name, found on the module paths.</param>
    /// <param name="function">The function's name.</param>
    /// <param name="args">The positional arguments.</param>
    /// <param name="kwargs">The keyword arguments, by parameter name.</param>
    /// <param name="cancellationToken">Interrupts the running code.</param>
    /// <returns>The converted result.</returns>
    /// <exception cref="ArgumentException">An argument has no Python counterpart, or a keyword is not a valid Python identifier.</exception>
    /// <exception cref="PythonScriptException">The import or the call raised an exception (a <c>TypeError</c> for an unknown keyword).</exception>
    /// <exception cref="InvalidCastException">The result cannot be converted to <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    /// <exception cref="TimeoutException">The call ran longer than <c>PythonRuntime:ExecutionTimeout</c>.</exception>
    Task<T?> InvokeAsync<T>(string module, string function, object?[] args, IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

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
