using System.Collections.Frozen;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>How a C type reachable from Python stands in the Managed backend.</summary>
internal enum TypeClass
{
    /// <summary>Not classified: its methods may reach the OS, and a review must decide.</summary>
    Unclassified,

    /// <summary>Neither its constructor nor its methods reach outside the interpreter (or only through managed functions).</summary>
    Pure,

    /// <summary>The members that reach the OS are replaced below Python (<see cref="TypeClassification.Managed"/> names them).</summary>
    Managed,

    /// <summary>Unconstructible, and every C method refused below Python (<c>Hardening.DeniedTypes</c>).</summary>
    Denied,
}

/// <summary>A type defined in C that Python code can reach through <c>object.__subclasses__()</c>.</summary>
/// <param name="Module">Its <c>__module__</c>.</param>
/// <param name="QualifiedName">Its <c>__qualname__</c>.</param>
/// <param name="IsExceptionType">Whether it derives from <c>BaseException</c> (whose C methods only build and read the exception).</param>
internal readonly record struct ReachableType(string Module, string QualifiedName, bool IsExceptionType)
{
    public string Name => Module + "." + QualifiedName;
}

/// <summary>
/// The review of every C type Python code can reach. Removing a name from a module does not remove its type: the
/// type stays in <c>object.__subclasses__()</c> with CPython's methods. The type completeness test walks the
/// subclass tree after importing every module that imports in a Managed runtime, and fails on any type defined in C
/// that <see cref="Classify"/> calls <see cref="TypeClass.Unclassified"/>, so that a CPython update adding a type that
/// reaches the OS cannot slip through. Names are <c>__module__.__qualname__</c> as Python reports them.
/// </summary>
internal static class TypeClassification
{
    /// <summary>
    /// Types whose instances reach the OS on their own (real descriptors, real directories, blocking system calls), with
    /// the reason Python code reads in the refusal. None is needed by the standard library in the Managed backend, whose
    /// <c>select</c> emulates <c>select.select</c> over virtual descriptors and whose <c>os.scandir</c> is managed.
    /// </summary>
    public static readonly FrozenDictionary<string, string> Denied = new Dictionary<string, string>
    {
        // epoll_create1 per instance (exhausts the host's descriptors), fromfd(n).close() closes any host descriptor,
        // poll() blocks in C where no interrupt reaches it.
        ["select.epoll"] = "it works on the host's real descriptors (the runtime's descriptors are virtual)",

        // poll() of real descriptors, blocking in C.
        ["select.poll"] = "it works on the host's real descriptors (the runtime's descriptors are virtual)",

        // Reads real directories (readdir) and stats real paths; made only by the original os.scandir.
        ["posix.ScandirIterator"] = "it lists host directories (os.scandir is managed)",
        ["posix.DirEntry"] = "it reads host paths (os.scandir is managed)",

        // Real sockets (socket(2), or any host descriptor through fileno=); allowed when HostSockets is true. Without it,
        // _socket.socket is the managed shim's class over the runtime's socket pairs (Modules.SocketModule).
        ["_socket.socket"] = "it makes or wraps host sockets: PythonRuntime:Permissions:HostSockets is false (socket.socketpair() works within the runtime)",

        // CPython's printer of the early standard error: writes to the host's descriptor 2.
        ["builtins.stderrprinter"] = "it writes to the host's standard error descriptor",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Managed types whose C methods are refused too, with the reason: their constructor is managed elsewhere, and an
    /// instance made before the runtime started (CPython's first standard streams wrap descriptors 0-2) reaches nothing.
    /// Refused once the runtime has started (CPython builds those streams with these methods): the types must be static.
    /// </summary>
    public static readonly FrozenDictionary<string, string> MethodsRefused = new Dictionary<string, string>
    {
        ["_io.FileIO"] = "the original io.FileIO works on host descriptors (open() and io.FileIO are managed)",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Methods of a denied type left as they are: they work on the type, never on an instance (e.g. <c>os.DirEntry[str]</c> in annotations).</summary>
    public static readonly FrozenSet<string> HarmlessMethods = new[] { "__class_getitem__" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Types whose OS-reaching members are replaced below Python: type → those members (checked by the test).</summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> Managed = new Dictionary<string, string[]>
    {
        // The original FileIO opens host paths and wraps host descriptors: its constructor refuses (IoModule); open()
        // and io.FileIO are the managed ones.
        ["_io.FileIO"] = ["__new__"],

        // The managed FileIO (a C-level type of the runtime): every C method is .NET code over the runtime's descriptors.
        [Modules.FileIOType.QualifiedName] = [.. Modules.FileIOType.MethodNames],

        // Blocking waits made interruptible (Hardening.BlockingWaits); the rest of a lock is memory.
        ["_thread.lock"] = ["acquire", "acquire_lock", "__enter__"],
        ["_thread.RLock"] = ["acquire", "__enter__"],
        ["_queue.SimpleQueue"] = ["get"],

        // now() and utcnow() read the C clock, not time.time(): replaced by the provider's time (DateTimeModule).
        ["datetime.datetime"] = ["now", "utcnow"],
    }.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// Reviewed pure types, by <c>__module__</c>: computation, containers, iterators, codecs, digests, parsers and result
    /// records, whose C code touches only memory or calls Python objects (which are managed where they reach the OS).
    /// </summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> Pure = new Dictionary<string, string[]>
    {
        ["Token"] = ["MISSING"],
        ["_abc"] = ["_abc_data"],

        // asyncio's futures and tasks: callbacks and coroutines, all Python; the event loop's I/O is the (managed) selector's.
        ["_asyncio"] = ["Future", "FutureIter", "Task"],
        ["_blake2"] = ["blake2b", "blake2s"],
        ["_bz2"] = ["BZ2Compressor", "BZ2Decompressor"],
        ["_collections"] = ["_deque_iterator", "_deque_reverse_iterator", "_tuplegetter"],
        ["_contextvars"] = ["Context", "ContextVar", "Token"],

        // Readers take iterators, writers call a Python object's write().
        ["_csv"] = ["Dialect", "reader", "writer"],
        ["_elementtree"] = ["_element_iterator"],
        ["_hashlib"] = ["HASH", "HASHXOF", "HMAC"],

        // In-memory streams and the buffered and text layers: bytes reach the OS only through a raw stream, which is the
        // managed FileIO (the original is managed above); fileno() of the bases only raises.
        ["_io"] =
        [
            "BufferedRWPair", "BufferedRandom", "BufferedReader", "BufferedWriter", "BytesIO",
            "IncrementalNewlineDecoder", "StringIO", "TextIOWrapper", "_BufferedIOBase", "_BytesIOBuffer",
            "_IOBase", "_RawIOBase", "_TextIOBase",
        ],
        ["_json"] = ["Encoder", "Scanner"],

        // Profiler.enable() goes through sys.setprofile's audit event, which the audit hook refuses.
        ["_lsprof"] = ["Profiler", "profiler_entry", "profiler_subentry"],
        ["_lzma"] = ["LZMACompressor", "LZMADecompressor"],
        ["_md5"] = ["md5"],

        // Stream readers and writers call Python stream objects.
        ["_multibytecodec"] =
        [
            "MultibyteCodec", "MultibyteIncrementalDecoder", "MultibyteIncrementalEncoder", "MultibyteStreamReader",
            "MultibyteStreamWriter",
        ],

        // find_class imports through the (managed) import system; dump and load call Python file objects.
        ["_pickle"] = ["Pdata", "Pickler", "PicklerMemoProxy", "Unpickler", "UnpicklerMemoProxy"],

        // seed() without an argument reads os.urandom's source (pure).
        ["_random"] = ["Random"],
        ["_sha1"] = ["sha1"],
        ["_sha256"] = ["sha224", "sha256"],
        ["_sha3"] = ["sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256"],
        ["_sha512"] = ["sha384", "sha512"],
        ["_sre"] = ["SRE_Scanner"],
        ["_struct"] = ["Struct", "unpack_iterator"],

        // Thread-local storage and the excepthook record; locks are managed above.
        ["_thread"] = ["_ExceptHookArgs", "_local", "_localdummy"],
        ["_tokenize"] = ["TokenizerIter"],

        // fromfile and tofile call a Python file object's read and write.
        ["array"] = ["array", "arrayiterator"],
        ["ast"] = ["AST"],

        // The language's own objects. code construction and replace() are refused by the audit hook (code.__new__); frames and
        // tracebacks are the interpreter's; InterpreterID only names interpreters (_xxsubinterpreters is not available);
        // stderrprinter is denied above.
        ["builtins"] =
        [
            "EncodingMap", "InterpreterID", "TaskStepMethWrapper", "_RunningLoopHolder", "NoneType", "NotImplementedType", "PyCapsule", "UnraisableHookArgs",
            "anext_awaitable", "async_generator", "async_generator_asend", "async_generator_athrow",
            "async_generator_wrapped_value", "asyncgen_hooks", "bool", "builtin_function_or_method",
            "builtin_method", "bytearray", "bytearray_iterator", "bytes", "bytes_iterator", "callable_iterator",
            "cell", "classmethod", "classmethod_descriptor", "code", "complex", "coroutine", "coroutine_wrapper",
            "dict", "dict_itemiterator", "dict_items", "dict_keyiterator", "dict_keys", "dict_reverseitemiterator",
            "dict_reversekeyiterator", "dict_reversevalueiterator", "dict_valueiterator", "dict_values", "ellipsis",
            "enumerate", "fieldnameiterator", "filter", "float", "formatteriterator", "frame", "frozenset",
            "function", "generator", "generic_alias_iterator", "getset_descriptor", "hamt", "hamt_array_node",
            "hamt_bitmap_node", "hamt_collision_node", "instancemethod", "int", "items", "iterator", "keys", "list",
            "list_iterator", "list_reverseiterator", "longrange_iterator", "managedbuffer", "map", "mappingproxy",
            "member_descriptor", "memory_iterator", "memoryview", "method", "method-wrapper", "method_descriptor",
            "module", "moduledef", "object", "odict_items", "odict_iterator", "odict_keys", "odict_values",
            "property", "range", "range_iterator", "reversed", "set", "set_iterator", "slice", "staticmethod",
            "str", "str_ascii_iterator", "str_iterator", "super", "symtable entry", "traceback", "tuple",
            "tuple_iterator", "type", "values", "wrapper_descriptor", "zip",
        ],
        ["collections"] = ["OrderedDict", "defaultdict", "deque"],

        // date.today() calls time.time() (managed); datetime is managed above.
        ["datetime"] = ["IsoCalendarDate", "date", "time", "timedelta", "timezone", "tzinfo"],
        ["decimal"] = ["Context", "ContextManager", "Decimal", "SignalDictMixin"],
        ["functools"] = ["KeyWrapper", "_lru_cache_wrapper", "_lru_list_elem", "partial"],
        ["itertools"] =
        [
            "_grouper", "_tee", "_tee_dataobject", "accumulate", "chain", "combinations",
            "combinations_with_replacement", "compress", "count", "cycle", "dropwhile", "filterfalse", "groupby",
            "islice", "pairwise", "permutations", "product", "repeat", "starmap", "takewhile", "zip_longest",
        ],
        ["operator"] = ["attrgetter", "itemgetter", "methodcaller"],

        // Result records: data.
        ["os"] = ["stat_result", "statvfs_result", "terminal_size"],
        ["pickle"] = ["PickleBuffer"],

        // Result records: data.
        ["posix"] = ["sched_param", "times_result", "uname_result", "waitid_result"],

        // ParseFile reads a Python file object; external entities go to a Python handler, never to a file.
        ["pyexpat"] = ["xmlparser"],
        ["re"] = ["Match", "Pattern"],
        ["signal"] = ["struct_siginfo"],
        // Their file access goes through SQLite's only VFS, the runtime's (Sqlite.SqliteVfs); load_extension needs NativeAccess there.
        ["sqlite3"] = ["Blob", "Connection", "Cursor", "PrepareProtocol", "Row", "Statement"],
        ["sys"] = ["flags", "float_info", "hash_info", "int_info", "thread_info", "version_info"],
        ["time"] = ["struct_time"],
        ["types"] = ["GenericAlias", "SimpleNamespace", "UnionType"],
        ["unicodedata"] = ["UCD"],
        ["weakref"] = ["CallableProxyType", "ProxyType", "ReferenceType"],
        ["xml.etree.ElementTree"] = ["Element", "TreeBuilder", "XMLParser"],
        ["zlib"] = ["Compress", "Decompress"],

        // Loads its data through importlib.resources and open(), which are managed.
        ["zoneinfo"] = ["ZoneInfo"],
    }.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    public static TypeClass Classify(ReachableType type)
    {
        if (Denied.ContainsKey(type.Name))
        {
            return TypeClass.Denied;
        }

        if (Managed.ContainsKey(type.Name))
        {
            return TypeClass.Managed;
        }

        return type.IsExceptionType || (Pure.TryGetValue(type.Module, out var pure) && pure.Contains(type.QualifiedName))
            ? TypeClass.Pure
            : TypeClass.Unclassified;
    }

    /// <summary>Gets the names of the types that no review has classified.</summary>
    public static IReadOnlyList<string> Unclassified(IEnumerable<ReachableType> types) =>
        [.. types.Where(t => Classify(t) == TypeClass.Unclassified).Select(t => t.Name).Distinct().Order(StringComparer.Ordinal)];
}
