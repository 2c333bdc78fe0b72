using System.Collections.Frozen;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>How a callable of a built-in or standard-library extension module stands in the Managed backend.</summary>
internal enum CallableClass
{
    /// <summary>Not classified: it may reach the OS, and a review must decide.</summary>
    Unclassified,

    /// <summary>A bridge function (its checks run in .NET) or a C function replaced below Python.</summary>
    Managed,

    /// <summary>An original refused below Python (by the audit hook).</summary>
    Denied,

    /// <summary>Reaches nothing outside the interpreter: computation, or only through other managed functions.</summary>
    Pure,
}

/// <summary>One callable attribute of a module, as the completeness check sees it.</summary>
/// <param name="Module">The module's name, e.g. <c>posix</c>.</param>
/// <param name="Name">The attribute's name.</param>
/// <param name="IsManaged">Whether it is a bridge function or runs a replaced C function.</param>
/// <param name="IsExceptionType">Whether it is an exception class (which cannot reach the OS).</param>
internal readonly record struct ModuleCallable(string Module, string Name, bool IsManaged, bool IsExceptionType);

/// <summary>
/// The review of every callable that built-in and standard-library extension modules give Python code, so
/// that a CPython update adding an OS entry point cannot slip through: the completeness test lists every
/// callable of every module that imports in a Managed runtime and fails on any that <see cref="Classify"/>
/// calls <see cref="CallableClass.Unclassified"/>. "Pure" is a claim made here, name by name, after reading
/// what the C function does; everything else must be managed (checked in .NET) or denied below Python.
/// </summary>
internal static class ModuleClassification
{
    /// <summary>Modules none of whose callables reach outside the interpreter (computation, codecs, hashing, parsing).</summary>
    public static readonly FrozenSet<string> PureModules = new[]
    {
        "_abc", "_ast", "_bisect", "_blake2", "_codecs", "_collections", "_csv", "_functools", "_heapq", "_md5",
        "_opcode", "_operator", "_pickle", "_random", "_sha1", "_sha256", "_sha3", "_sha512", "_sre", "_stat",
        "_statistics", "_string", "_struct", "_symtable", "_tokenize", "_warnings", "_weakref", "array", "binascii",
        "cmath", "errno", "itertools", "math", "pyexpat", "unicodedata", "zlib", "_elementtree", "_datetime",

        // Standard-library extensions in lib-dynload.
        "_bz2", "_lzma", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw",
        "_multibytecodec", "_contextvars", "_decimal", "_json", "_queue", "_typing", "audioop", "_crypt",

        // OpenSSL digests and key derivation: no files, no sockets (the library reads only its own configuration).
        "_hashlib",

        // Reads its data through importlib.resources and open(), which are managed.
        "_zoneinfo",

        // asyncio's futures, tasks and running-loop bookkeeping: Python objects only.
        "_asyncio",

        // The profiler's enable() goes through sys.setprofile, which the audit hook refuses.
        "_lsprof",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The pure callables of modules that also have OS-reaching ones (the rest of those must be managed or denied).</summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> PureCallables = new Dictionary<string, string[]>
    {
        // Kept as they are in the wrapped posix (PosixModule.Pure and PosixModule.Types): information, arithmetic on
        // status words, random bytes from the kernel; the types' instances cannot reach the OS.
        ["posix"] =
        [
            "WCOREDUMP", "WEXITSTATUS", "WIFCONTINUED", "WIFEXITED", "WIFSIGNALED", "WIFSTOPPED", "WSTOPSIG", "WTERMSIG",
            "waitstatus_to_exitcode", "_path_normpath", "fspath", "strerror", "cpu_count", "urandom", "getrandom",
            "sched_get_priority_max", "sched_get_priority_min", "sched_yield",
            "sysconf", "confstr", "major", "minor", "makedev", "register_at_fork",
            "DirEntry", "stat_result", "statvfs_result", "terminal_size", "times_result", "uname_result", "sched_param", "waitid_result",
        ],

        // Kept in the wrapped time (TimeModule.Kept): conversions and this process's CPU clocks (clock_getres and
        // pthread_getcpuclockid take clock and thread ids: managed).
        ["time"] =
        [
            "strptime", "get_clock_info", "process_time", "process_time_ns", "thread_time", "thread_time_ns",
            "struct_time",
        ],

        // Kept in the wrapped _thread (ThreadModule.Kept): locks (their waits are interruptible, see Hardening), thread ids.
        ["_thread"] =
        [
            "allocate_lock", "allocate", "get_ident", "get_native_id", "stack_size", "_count", "_set_sentinel", "_excepthook",
            "_local", "LockType", "RLock", "_ExceptHookArgs", "_is_main_interpreter", "daemon_threads_allowed",
        ],

        // Kept in the wrapped _signal (SignalModule.Kept): reading, never changing, the process's signal state.
        ["_signal"] = ["default_int_handler", "strsignal", "valid_signals", "struct_siginfo"],

        // _io: in-memory streams and wrappers; bytes reach the OS only through a raw stream, which is the managed FileIO.
        ["_io"] =
        [
            "BufferedRWPair", "BufferedRandom", "BufferedReader", "BufferedWriter", "BytesIO", "IncrementalNewlineDecoder",
            "StringIO", "TextIOWrapper", "_BufferedIOBase", "_IOBase", "_RawIOBase", "_TextIOBase", "text_encoding",
        ],

        // _imp: module creation runs the wrapped init functions; create_dynamic is managed; the lock's wait is hardened.
        ["_imp"] =
        [
            "_fix_co_filename", "_frozen_module_names", "_override_frozen_modules_for_tests", "acquire_lock", "create_builtin",
            "exec_builtin", "exec_dynamic", "extension_suffixes", "find_frozen", "get_frozen_object", "init_frozen", "is_builtin",
            "is_frozen", "is_frozen_package", "lock_held", "release_lock", "source_hash",
        ],

        // _socket without HostSockets (SocketModule.Pure): byte order, address text, the default timeout, ancillary-data sizes.
        ["_socket"] = ["htonl", "htons", "ntohl", "ntohs", "inet_aton", "inet_ntoa", "inet_ntop", "inet_pton", "getdefaulttimeout", "setdefaulttimeout", "CMSG_LEN", "CMSG_SPACE"],

        // _locale: reading the locale and message catalogs; the setters are replaced (Hardening.LocaleHardening).
        // SQLite reaches files only through its VFS, which is the runtime's own (Sqlite.SqliteVfs: provider files under IO,
        // no other VFS registered, extensions only with NativeAccess); connect is managed. enable_shared_cache switches
        // a setting of the process's SQLite library, used by the runtime alone.
        ["_sqlite3"] =
        [
            "Blob", "Connection", "Cursor", "PrepareProtocol", "Row", "adapt", "complete_statement", "enable_callback_tracebacks",
            "enable_shared_cache", "register_adapter", "register_converter",
        ],
        ["_locale"] = ["dcgettext", "dgettext", "getencoding", "gettext", "localeconv", "nl_langinfo", "strcoll", "strxfrm"],

        // sys: the interpreter's own state. setrecursionlimit, setswitchinterval and _debugmallocstats are replaced,
        // the tracing and frame walks are refused by the audit hook.
        ["sys"] =
        [
            "__breakpointhook__", "__displayhook__", "__excepthook__", "__unraisablehook__", "_clear_type_cache", "_getframe",
            "_getquickenedcount", "audit", "breakpointhook", "call_tracing", "displayhook", "exc_info", "excepthook", "exception",
            "exit", "get_asyncgen_hooks", "get_coroutine_origin_tracking_depth", "get_int_max_str_digits", "getallocatedblocks",
            "getdefaultencoding", "getdlopenflags", "getfilesystemencodeerrors", "getfilesystemencoding", "getprofile",
            "getrecursionlimit", "getrefcount", "getsizeof", "getswitchinterval", "gettrace", "intern", "is_finalizing",
            "set_asyncgen_hooks", "set_coroutine_origin_tracking_depth", "set_int_max_str_digits", "setdlopenflags", "unraisablehook",
        ],

        // gc: collection control of this interpreter; the heap walks are refused by the audit hook.
        ["gc"] =
        [
            "collect", "disable", "enable", "freeze", "get_count", "get_debug", "get_freeze_count", "get_stats", "get_threshold",
            "is_finalized", "is_tracked", "isenabled", "set_debug", "set_threshold", "unfreeze",
        ],

        // marshal: writing goes to a Python file object; reading is refused by the audit hook (except the home's bytecode).
        ["marshal"] = ["dump", "dumps"],

        // atexit: the interpreter is never finalised; _run_exitfuncs runs Python callables inside the call.
        ["atexit"] = ["_clear", "_ncallbacks", "_run_exitfuncs", "register", "unregister"],

        // builtins: open is managed; input reads sys.stdin (the runtime's); the rest is the language.
        ["builtins"] =
        [
            "__build_class__", "__import__", "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint",
            "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex", "delattr", "dict", "dir", "divmod",
            "enumerate", "eval", "exec", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr", "hash",
            "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len", "list", "locals", "map", "max",
            "memoryview", "min", "next", "object", "oct", "ord", "pow", "print", "property", "range", "repr", "reversed",
            "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip",
        ],
    }.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Originals that stay in their module but are refused below Python by the audit hook (qualified name → event).</summary>
    public static readonly FrozenDictionary<string, string> DeniedByAuditHook = new Dictionary<string, string>
    {
        ["sys.addaudithook"] = "sys.addaudithook",
        ["sys.settrace"] = "sys.settrace",
        ["sys.setprofile"] = "sys.setprofile",
        ["sys._current_frames"] = "sys._current_frames",
        ["sys._current_exceptions"] = "sys._current_exceptions",
        ["gc.get_objects"] = "gc.get_objects",
        ["gc.get_referrers"] = "gc.get_referrers",
        ["gc.get_referents"] = "gc.get_referents",
        ["marshal.load"] = "marshal.load",
        ["marshal.loads"] = "marshal.loads",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Classes and factories of the Managed backend that replace an original in its module: the C-level FileIO, and the Python classes of sockets, poll and epoll over the runtime's own descriptors.</summary>
    public static readonly FrozenSet<string> ManagedShims = new[] { "_io.FileIO", "_socket.socket", "_socket.SocketType", "select.poll", "select.epoll" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Standard-library extensions that load arbitrary native code or reach files, sockets and the OS on their own:
    /// in the Managed backend they count as native extensions and must not import unless registered (DESIGN §6).
    /// </summary>
    public static readonly FrozenSet<string> RestrictedExtensions = new[]
    {
        "_ctypes", "_ctypes_test", "_dbm", "_gdbm", "readline", "mmap", "resource", "_multiprocessing",
        "_posixshmem", "termios", "_xxsubinterpreters", "_xxinterpchannels", "_testcapi", "_testinternalcapi",
        "_testmultiphase", "_testbuffer", "_testclinic", "_testimportmultiple", "_xxtestfuzz", "_curses", "_curses_panel",
        "nis", "ossaudiodev", "_ssl", "xxlimited", "xxlimited_35", "_tkinter",

        // libuuid's generate_time_safe creates /var/lib/libuuid/clock.txt and connects to uuidd's UNIX socket;
        // uuid.py falls back to its own algorithm without it.
        "_uuid",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static CallableClass Classify(ModuleCallable callable)
    {
        var qualified = callable.Module + "." + callable.Name;
        if (callable.IsManaged || ManagedShims.Contains(qualified))
        {
            return CallableClass.Managed;
        }

        if (DeniedByAuditHook.ContainsKey(qualified))
        {
            return CallableClass.Denied;
        }

        if (callable.IsExceptionType || PureModules.Contains(callable.Module)
            || (PureCallables.TryGetValue(callable.Module, out var pure) && pure.Contains(callable.Name)))
        {
            return CallableClass.Pure;
        }

        return CallableClass.Unclassified;
    }

    /// <summary>Gets the qualified names of the callables that no review has classified.</summary>
    public static IReadOnlyList<string> Unclassified(IEnumerable<ModuleCallable> callables) =>
        [.. callables.Where(c => Classify(c) == CallableClass.Unclassified).Select(c => c.Module + "." + c.Name).Order(StringComparer.Ordinal)];
}
