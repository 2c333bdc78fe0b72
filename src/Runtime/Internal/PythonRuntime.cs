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
    private readonly System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver? _resolver;
    private readonly IPythonBackend _backend;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ILogger _stdoutLogger;
    private readonly ILogger _stderrLogger;
    private readonly AsyncLocal<OutputSink?> _redirect = new();
    private readonly OutputSink _defaultSink;
    private readonly Func<string, string?> _getEnvironmentVariable;
    private const int MaxCachedCodeObjects = 256;
    private const int MaxCachedSourceLength = 4096;
    private readonly Dictionary<string, nint> _evalCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, nint> _execCache = new(StringComparer.Ordinal);
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
        _resolver = options.TypeInfoResolver;
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
        return RunAsync<object>(new CallBody(CallKind.Execute, code), convert: false, cancellationToken);
    }

    public Task<T?> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return RunAsync<T>(new CallBody(CallKind.Evaluate, expression), convert: true, cancellationToken);
    }

    public T? Evaluate<T>(string expression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return RunSynchronously<T>(new CallBody(CallKind.Evaluate, expression), convert: true, cancellationToken);
    }

    public Task<T?> InvokeAsync<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentNullException.ThrowIfNull(args);
        return RunAsync<T>(new CallBody(CallKind.Invoke, module, function, args), convert: true, cancellationToken);
    }

    public T? Invoke<T>(string module, string function, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentNullException.ThrowIfNull(args);
        return RunSynchronously<T>(new CallBody(CallKind.Invoke, module, function, args), convert: true, cancellationToken);
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

        return RunAsync<T>(new CallBody(CallKind.Invoke, module, function, args, kwargs), convert: true, cancellationToken);
    }

    private static bool IsIdentifier(string name)
        => name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(static c => char.IsLetterOrDigit(c) || c == '_');

    public Task RunFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return RunAsync<object>(new CallBody(CallKind.RunFile, path), convert: false, cancellationToken);
    }

    private enum CallKind
    {
        Execute,
        Evaluate,
        Invoke,
        RunFile,
    }

    /// <summary>What one call runs, without a delegate per call; the entry point's name is made only when needed.</summary>
    private readonly struct CallBody(CallKind kind, string text, string? function = null, object?[]? args = null, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        public CallKind Kind => kind;

        /// <summary>Gets the source (Execute, Evaluate), the module (Invoke) or the script's path (RunFile).</summary>
        public string Text => text;

        public string? Function => function;

        public object?[]? Args => args;

        public IReadOnlyDictionary<string, object?>? Kwargs => kwargs;

        /// <summary>Gets the name of the call in logs, errors and telemetry.</summary>
        public string EntryPoint => kind switch
        {
            CallKind.Execute => "exec",
            CallKind.Evaluate => "eval",
            CallKind.Invoke => text + "." + function,
            _ => text,
        };
    }

    /// <summary>Runs a call's body (GIL held); returns a new reference, or 0 with the Python error set.</summary>
    private nint RunBody(in CallBody body) => body.Kind switch
    {
        CallKind.Execute => Run(body.Text, PyFileInput),
        CallKind.Evaluate => Run(body.Text, PyEvalInput),
        CallKind.Invoke => Invoke(body.Text, body.Function!, body.Args!, body.Kwargs),

        // Binds no name in __main__, so concurrent calls cannot disturb each other.
        _ => Compile($"__import__('runpy').run_path({PythonLiteral(body.Text)}, run_name='__main__')\n", "<run_path>", PyFileInput, _mainDict),
    };

    /// <summary>
    /// Runs source in <c>__main__</c>, compiling it once: a short source's code object is kept (GIL held), so an
    /// expression evaluated again costs no compilation. The cache is bounded in entries and in source length.
    /// </summary>
    private nint Run(string source, int mode)
    {
        var cache = mode == PyEvalInput ? _evalCache : _execCache;
        if (!cache.TryGetValue(source, out var code))
        {
            code = CompileOnly(source, "<string>", mode);
            if (code == 0)
            {
                return 0;
            }

            if (source.Length <= MaxCachedSourceLength && cache.Count < MaxCachedCodeObjects)
            {
                cache[source] = code;
                LibPython.Py_IncRef(code);
            }
        }
        else
        {
            LibPython.Py_IncRef(code);
        }

        var result = LibPython.PyEval_EvalCode(code, _mainDict, _mainDict);
        LibPython.Py_DecRef(code);
        return result;
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

    private static unsafe nint CompileOnly(string source, string filename, int mode)
    {
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var name = Encoding.UTF8.GetBytes(filename + "\0");
        fixed (byte* s = src)
        fixed (byte* n = name)
        {
            return LibPython.Py_CompileString(s, n, mode);
        }
    }

    private static nint Compile(string source, string filename, int mode, nint globals)
    {
        var code = CompileOnly(source, filename, mode);
        if (code == 0)
        {
            return 0;
        }

        var result = LibPython.PyEval_EvalCode(code, globals, globals);
        LibPython.Py_DecRef(code);
        return result;
    }

    private nint Invoke(string module, string function, object?[] args, IReadOnlyDictionary<string, object?>? kwargs)
    {
        var argsTuple = LibPython.PyTuple_New(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            nint item;
            try
            {
                item = ValueConverter.ToPython(args[i], resolver: _resolver);
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
                    var item = ValueConverter.ToPython(value, resolver: _resolver);
                    var key = Py.NewString(name);
                    LibPython.PyDict_SetItem(kwargsDict, key, item);
                    LibPython.Py_DecRef(key);
                    LibPython.Py_DecRef(item);
                }
            }

            return CallByName(module, function, argsTuple, kwargsDict);
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

    /// <summary>
    /// Calls <paramref name="module"/>.<paramref name="function"/> (new reference, or 0 with the Python error set). Not
    /// inlined into the caller's exception-handling region, where each C-API call would cost a stub and helper calls.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static nint CallByName(string module, string function, nint argsTuple, nint kwargsDict)
    {
        var mod = ImportedModule(module);
        if (mod == 0)
        {
            return 0;
        }

        var name = InternedName(function);
        var callable = name == 0 ? 0 : LibPython.PyObject_GetAttr(mod, name);
        LibPython.Py_DecRef(mod);
        ReleaseName(function, name);
        if (callable == 0)
        {
            return 0;
        }

        var result = LibPython.PyObject_Call(callable, argsTuple, kwargsDict);
        LibPython.Py_DecRef(callable);
        return result;
    }

    /// <summary>The most names <see cref="InternedName"/> keeps, and the longest it keeps.</summary>
    private const int MaxInternedNames = 1024;

    private const int MaxInternedNameLength = 256;

    /// <summary>Interned Python strings for module and function names given to <c>Invoke</c>, kept for the process. Used with the GIL held only.</summary>
    private static readonly Dictionary<string, nint> InternedNames = new(StringComparer.Ordinal);

    /// <summary>
    /// A Python string for a name used in calls: interned and kept (bounded) for names seen before, so that a repeated
    /// call neither builds the string again nor hashes it for the lookup. Pair with <see cref="ReleaseName"/>. 0 with
    /// the Python error set when the string cannot be made.
    /// </summary>
    private static nint InternedName(string name)
    {
        if (InternedNames.TryGetValue(name, out var kept))
        {
            return kept;
        }

        var made = Py.NewString(name);
        if (made == 0 || name.Length > MaxInternedNameLength || InternedNames.Count >= MaxInternedNames)
        {
            return made;
        }

        LibPython.PyUnicode_InternInPlace(&made);
        InternedNames[name] = made;
        return made;
    }

    /// <summary>Drops a string from <see cref="InternedName"/> unless it is kept.</summary>
    private static void ReleaseName(string name, nint value)
    {
        if (value != 0 && !(InternedNames.TryGetValue(name, out var kept) && kept == value))
        {
            LibPython.Py_DecRef(value);
        }
    }

    /// <summary>
    /// Gets a module for a call (new reference): the one in <c>sys.modules</c> when it is fully imported (no trip
    /// through <c>__import__</c>, about 1.5 µs), otherwise imported. Returns 0 with the Python error set.
    /// </summary>
    private static nint ImportedModule(string module)
    {
        var name = InternedName(module);
        if (name == 0)
        {
            return 0;
        }

        var found = LibPython.PyImport_GetModule(name);
        ReleaseName(module, name);
        if (found != 0 && found != LibPython.None)
        {
            return found;
        }

        LibPython.Py_DecRef(found);
        if (LibPython.PyErr_Occurred() != 0)
        {
            return 0;
        }

        return Py.Import(module);
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
