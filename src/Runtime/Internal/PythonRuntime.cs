using System.Text;
using Microsoft.Extensions.Logging;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// The <see cref="IPythonRuntime"/> over the process's one interpreter. Each call runs on a call
/// thread with a large stack (<see cref="CallThreads"/>) that holds the GIL only while Python runs; cancellation and the execution timeout raise
/// an asynchronous <c>KeyboardInterrupt</c> in that thread until the call ends.
/// </summary>
internal sealed unsafe partial class PythonRuntime : IStartablePythonRuntime
{
    private const int PyFileInput = 257;
    private const int PyEvalInput = 258;
    private static readonly TimeSpan ReInterruptInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long an interrupted call may swallow the interrupt before every line it runs is interrupted.</summary>
    private static readonly TimeSpan TraceAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long the caller of an interrupted call waits for it to stop before it is released.</summary>
    private static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(3);

    private readonly PythonRuntimeOptions _options;
    private readonly IPythonBackend _backend;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ILogger _stdoutLogger;
    private readonly ILogger _stderrLogger;
    private readonly AsyncLocal<OutputSink?> _redirect = new();
    private readonly OutputSink _defaultSink;
    private readonly Func<string, string?> _getEnvironmentVariable;
    private nint _mainDict;
    private volatile bool _started;
    private int _memoryLimitLogged;

    public PythonRuntime(
        PythonRuntimeOptions options,
        IPythonBackend backend,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IPythonRuntimeObserver? observer = null,
        Func<string, string?>? getEnvironmentVariable = null)
    {
        _options = options;
        Observer = observer;
        _backend = backend;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("PyHosting.Runtime");
        _stdoutLogger = loggerFactory.CreateLogger("PyHosting.Python.Stdout");
        _stderrLogger = loggerFactory.CreateLogger("PyHosting.Python.Stderr");
        _defaultSink = new OutputSink(null, null, _stdoutLogger, _stderrLogger);
        _getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    public PythonBackend Backend => _backend.Kind;

    public bool IsStarted => _started;

    public long? MemoryUsage => PythonInterpreter.MemoryUsage;

    /// <summary>Gets the sink used when no call context exists (Python threads, start-up).</summary>
    internal OutputSink DefaultSink => _defaultSink;

    /// <summary>Starts the interpreter (once per process).</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        var installation = PythonLibraryLocator.Locate(_options.PythonLibrary, _getEnvironmentVariable);
        try
        {
            PythonInterpreter.Start(installation, _backend, _options.MemoryLimit is > 0 and var limit ? limit : 0, _logger);
        }
        catch
        {
            // A start that failed after the interpreter came up is finalised here, while nothing runs in it.
            PythonInterpreter.Stop(_logger);
            throw;
        }

        var gil = LibPython.PyGILState_Ensure();
        try
        {
            unsafe
            {
                fixed (byte* main = "__main__\0"u8)
                {
                    var module = LibPython.PyImport_AddModule(main); // borrowed
                    _mainDict = LibPython.PyModule_GetDict(module); // borrowed, lives as long as __main__
                    LibPython.Py_IncRef(_mainDict);
                }
            }
        }
        finally
        {
            LibPython.PyGILState_Release(gil);
        }

        _started = true;
    }

    public void Stop()
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        PythonInterpreter.Stop(_logger);
    }

    public IDisposable RedirectOutput(TextWriter standardOutput, TextWriter? standardError = null)
    {
        ArgumentNullException.ThrowIfNull(standardOutput);
        var previous = _redirect.Value;
        _redirect.Value = new OutputSink(standardOutput, standardError, _stdoutLogger, _stderrLogger);
        return new RedirectScope(this, previous);
    }

    public Task ExecuteAsync(string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        return RunAsync<object>("exec", () => Compile(code, "<string>", PyFileInput, _mainDict), convert: false, cancellationToken);
    }

    public Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return RunAsync<T>("eval", () => Compile(expression, "<string>", PyEvalInput, _mainDict), convert: true, cancellationToken);
    }

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentNullException.ThrowIfNull(args);
        return RunAsync<T>($"{module}.{function}", () => Invoke(module, function, args, null), convert: true, cancellationToken);
    }

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(kwargs);
        foreach (var name in kwargs.Keys)
        {
            if (!IsIdentifier(name))
            {
                throw new ArgumentException($"The keyword '{name}' is not a Python identifier.", nameof(kwargs));
            }
        }

        return RunAsync<T>($"{module}.{function}", () => Invoke(module, function, args, kwargs), convert: true, cancellationToken);
    }

    private static bool IsIdentifier(string name)
        => name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(static c => char.IsLetterOrDigit(c) || c == '_');

    public Task RunFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var literal = PythonLiteral(path);
        // Binds no name in __main__, so concurrent calls cannot disturb each other.
        var code = $"__import__('runpy').run_path({literal}, run_name='__main__')\n";
        return RunAsync<object>(path, () => Compile(code, "<run_path>", PyFileInput, _mainDict), convert: false, cancellationToken);
    }

    internal static string PythonLiteral(string value)
    {
        var sb = new StringBuilder("'");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return sb.Append('\'').ToString();
    }

    private static unsafe nint Compile(string source, string filename, int mode, nint globals)
    {
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var name = Encoding.UTF8.GetBytes(filename + "\0");
        nint code;
        fixed (byte* s = src)
        fixed (byte* n = name)
        {
            code = LibPython.Py_CompileString(s, n, mode);
        }

        if (code == 0)
        {
            return 0;
        }

        var result = LibPython.PyEval_EvalCode(code, globals, globals);
        LibPython.Py_DecRef(code);
        return result;
    }

    private static nint Invoke(string module, string function, object?[] args, IReadOnlyDictionary<string, object?>? kwargs)
    {
        var argsTuple = LibPython.PyTuple_New(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            nint item;
            try
            {
                item = ValueConverter.ToPython(args[i]);
            }
            catch
            {
                LibPython.Py_DecRef(argsTuple);
                throw;
            }

            LibPython.PyTuple_SetItem(argsTuple, i, item);
        }

        nint kwargsDict = 0;
        try
        {
            if (kwargs is { Count: > 0 })
            {
                kwargsDict = LibPython.PyDict_New();
                foreach (var (name, value) in kwargs)
                {
                    var item = ValueConverter.ToPython(value);
                    var key = Py.NewString(name);
                    LibPython.PyDict_SetItem(kwargsDict, key, item);
                    LibPython.Py_DecRef(key);
                    LibPython.Py_DecRef(item);
                }
            }

            var mod = Py.Import(module);
            if (mod == 0)
            {
                return 0;
            }

            var callable = Py.GetAttr(mod, function);
            LibPython.Py_DecRef(mod);
            if (callable == 0)
            {
                return 0;
            }

            var result = LibPython.PyObject_Call(callable, argsTuple, kwargsDict);
            LibPython.Py_DecRef(callable);
            return result;
        }
        finally
        {
            LibPython.Py_DecRef(argsTuple);
            if (kwargsDict != 0)
            {
                LibPython.Py_DecRef(kwargsDict);
            }
        }
    }

    private sealed class RedirectScope(PythonRuntime runtime, OutputSink? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                runtime._redirect.Value = previous;
            }
        }
    }
}
