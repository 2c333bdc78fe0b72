# Calls every bridge-backed callable of the Managed backend with hostile arguments (BridgeFuzzTests).
#
# A target is a callable whose body is the host's: a bridge function (a builtin whose __self__ is not a
# module, found on every tamed module, on fresh _imp.create_builtin copies, in type dictionaries and on the
# standard streams), a method of a type the runtime defines or patches (the managed FileIO, DirEntry and
# scandir iterator, the standard streams), or a C method whose function the runtime replaced (lock and
# queue waits, _locale, sys, _imp). Each target gets a deterministic plan of calls, seeded by its name:
# every arity from 0 to MAX_ARITY + 2, with each hostile value in each position, then calls with keyword
# arguments. A call may return or raise a Python exception; what it must not do is end the host, raise
# SystemError (a C function that returned a result with an error set, or no result without one), or fail
# with the EIO the runtime reports for an unexpected .NET exception in a handler.
import _imp
import array
import gc
import importlib.machinery
import random
import sys
import types
import zlib

MAX_ARITY = 4
RANDOM_KEYWORD_CALLS = 24
EIO = 5

# Keyword names the managed functions read, and one nobody reads: each is given alone, hostile or plausible,
# after each plausible first argument (a real descriptor, a path, a buffer) and after two, so that a handler
# that reads a keyword whose positional partner is missing is reached.
KEYWORDS = (
    "path", "fd", "dir_fd", "src_dir_fd", "dst_dir_fd", "uid", "gid", "follow_symlinks", "mode", "flags", "length", "offset", "str", "buffer",
    "position", "whence", "inheritable", "blocking", "times", "ns", "name", "value", "tz", "secs", "seconds",
    "timeout", "signalnum", "handler", "spec", "clk_id", "format", "limit", "status", "effective_ids", "src", "dst",
    "size", "b", "pos", "file", "closefd", "opener", "block", "unknown_keyword",
)


# ---- hostile values: (label, factory); a fresh object per call -------------------------------------------

class StrSub(str):
    def __str__(self):
        raise RuntimeError("StrSub.__str__")

    def __fspath__(self):
        raise RuntimeError("StrSub.__fspath__")

    def __eq__(self, other):
        raise RuntimeError("StrSub.__eq__")

    __hash__ = str.__hash__

    def __len__(self):
        return -1


class BytesSub(bytes):
    def __len__(self):
        raise RuntimeError("BytesSub.__len__")

    def __bytes__(self):
        return b"other"

    def __index__(self):
        return 2 ** 200


class IntSub(int):
    def __index__(self):
        raise RuntimeError("IntSub.__index__")

    def __int__(self):
        return "not an int"

    def __float__(self):
        raise RuntimeError("IntSub.__float__")

    def __bool__(self):
        raise RuntimeError("IntSub.__bool__")


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


class Float:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


class FsPath:
    def __init__(self, value):
        self.value = value

    def __fspath__(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


class Lying:
    """A sequence whose length, iteration and items lie or raise."""

    def __init__(self, length):
        self.length = length

    def __len__(self):
        if isinstance(self.length, BaseException):
            raise self.length
        return self.length

    def __getitem__(self, i):
        if i > 2:
            raise IndexError(i)
        return Index(RuntimeError("item"))

    def __iter__(self):
        raise RuntimeError("Lying.__iter__")


class Raising:
    """Every attribute read, truth test, comparison and conversion raises."""

    def __getattribute__(self, name):
        raise RuntimeError("Raising." + name)

    def __bool__(self):
        raise RuntimeError("Raising.__bool__")

    def __eq__(self, other):
        raise RuntimeError("Raising.__eq__")

    __hash__ = None


class FileNo:
    def __init__(self, value):
        self.value = value

    def fileno(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


class Spec:
    """What _imp reads from a module spec: a name and an origin that lie."""

    def __init__(self, name, origin):
        self.name = name
        self.origin = origin


def _released():
    m = memoryview(b"released")
    m.release()
    return m


VALUES = (
    ("None", lambda: None),
    ("0", lambda: 0),
    ("-1", lambda: -1),
    ("2**31", lambda: 2 ** 31),
    ("2**63", lambda: 2 ** 63),
    ("-2**63-1", lambda: -2 ** 63 - 1),
    ("2**200", lambda: 2 ** 200),
    ("-2**200", lambda: -(2 ** 200)),
    ("True", lambda: True),
    ("False", lambda: False),
    ("0.5", lambda: 0.5),
    ("nan", lambda: float("nan")),
    ("-inf", lambda: float("-inf")),
    ("1e300", lambda: 1e300),
    ("''", lambda: ""),
    ("'x'*4097", lambda: "x" * 4097),
    ("'a\\0b'", lambda: "a\0b"),
    ("lone surrogate", lambda: "\udcff"),
    ("'/'", lambda: "/"),
    ("b''", lambda: b""),
    ("b'x'*4097", lambda: b"x" * 4097),
    ("b'/\\0'", lambda: b"/\0"),
    ("bytearray", lambda: bytearray(b"abc")),
    ("memoryview", lambda: memoryview(b"abc")),
    ("released memoryview", _released),
    ("strided memoryview", lambda: memoryview(bytearray(b"abcdef"))[::2]),
    ("array('d')", lambda: array.array("d", [1.0, 2.0])),
    ("StrSub", lambda: StrSub("/tmp")),
    ("BytesSub", lambda: BytesSub(b"/tmp")),
    ("IntSub", lambda: IntSub(3)),
    ("Index(raises)", lambda: Index(RuntimeError("__index__"))),
    ("Index(2**200)", lambda: Index(2 ** 200)),
    ("Index(-2**63-1)", lambda: Index(-2 ** 63 - 1)),
    ("Index('x')", lambda: Index("x")),
    ("Index(IntSub)", lambda: Index(IntSub(7))),
    ("Float(raises)", lambda: Float(RuntimeError("__float__"))),
    ("Float('x')", lambda: Float("x")),
    ("FsPath(raises)", lambda: FsPath(RuntimeError("__fspath__"))),
    ("FsPath(3)", lambda: FsPath(3)),
    ("FsPath(None)", lambda: FsPath(None)),
    ("FsPath(StrSub)", lambda: FsPath(StrSub("/etc"))),
    ("FsPath(b'\\0')", lambda: FsPath(b"\0")),
    ("Lying(-1)", lambda: Lying(-1)),
    ("Lying(2**62)", lambda: Lying(2 ** 62)),
    ("Lying(raises)", lambda: Lying(RuntimeError("__len__"))),
    ("Raising", lambda: Raising()),
    ("FileNo(raises)", lambda: FileNo(RuntimeError("fileno"))),
    ("FileNo(2**200)", lambda: FileNo(2 ** 200)),
    ("Spec(StrSub, FsPath)", lambda: Spec(StrSub("x"), FsPath("/"))),
    ("Spec(None, 3)", lambda: Spec(None, 3)),
    ("object()", lambda: object()),
    ("int", lambda: int),
    ("[None]", lambda: [None]),
    ("(2**200, -1)", lambda: (2 ** 200, -1)),
    ("(None, None)", lambda: (None, None)),
    ("[0.5, 'x']", lambda: [0.5, "x"]),
    ("{}", lambda: {}),
    ("exception", lambda: ValueError("x")),
)


_LABELS = [label for label, _ in VALUES]

# Values a call gets past its first checks with: descriptor 0 (the runtime's standard input), a path, bytes.
PLAUSIBLE = tuple(_LABELS.index(label) for label in ("0", "'/'", "b''"))


# ---- targets -----------------------------------------------------------------------------------------------

TAMED = ("posix", "_io", "time", "_thread", "_signal", "_datetime", "_imp", "select", "_socket", "fcntl")


def _is_bridge(f):
    """A builtin function of the host: bound to no module (the runtime binds its bridge functions to a plain value)."""
    if type(f) is not types.BuiltinFunctionType:
        return False
    owner = getattr(f, "__self__", None)
    return owner is not None and not isinstance(owner, (types.ModuleType, type))


class Target:
    __slots__ = ("name", "kind", "factory", "after", "keywords")

    def __init__(self, name, kind, factory, after=None, keywords=True):
        self.name = name
        self.kind = kind
        self.factory = factory  # returns the callable (a fresh receiver when it has one)
        self.after = after  # undoes what a successful call changed in the process-wide interpreter
        self.keywords = keywords  # whether the plan holds calls with keywords (CPython's own parsing needs no more)


def _restore_sys(name):
    value = getattr(sys, name)()
    setter = getattr(sys, name.replace("get", "set"))
    return lambda: setter(value)


def _release_import_lock():
    while _imp.lock_held():
        try:
            _imp.release_lock()
        except RuntimeError:
            break


def _open_system_file():
    import os
    return open(os.__file__, "rb", buffering=0)


def _entry():
    import os
    with os.scandir(sys.prefix + "/lib/python3.11") as it:
        for e in it:
            return e
    raise RuntimeError("no entry")


def _fresh_copies():
    copies = []
    for name in TAMED:
        module = _imp.create_builtin(importlib.machinery.ModuleSpec(name, None))
        if module is None:
            continue
        try:
            _imp.exec_builtin(module)
        except Exception:
            pass
        copies.append((name, module))
    return copies


# Modules whose types the runtime patches (or may patch): every C method and slot of their types is called
# unbound, with each hostile value as its receiver.
PATCHED_TYPES = TAMED + ("_queue", "_locale")

_C_METHODS = (types.MethodDescriptorType, types.WrapperDescriptorType, types.ClassMethodDescriptorType)
_C_ATTRIBUTES = (types.GetSetDescriptorType, types.MemberDescriptorType)


def _module_targets(targets, seen, label, module, kind):
    for attr in sorted(dir(module)):
        try:
            value = getattr(module, attr)
        except Exception:
            continue
        if _is_bridge(value):
            targets.append(Target(label + "." + attr, kind, (lambda v: lambda: v)(value)))
        elif isinstance(value, type) and id(value) not in seen:
            seen.add(id(value))
            _type_targets(targets, label + "." + attr, value)
            if module.__name__ in PATCHED_TYPES and kind == "function":
                _descriptor_targets(targets, label + "." + attr, value)


def _descriptor_targets(targets, label, cls):
    """The C methods, slots and attributes of a type, taken from its __dict__: a wrong receiver must be a TypeError."""
    for key, raw in sorted(vars(cls).items()):
        if isinstance(raw, _C_METHODS):
            targets.append(Target("%s.%s (from __dict__)" % (label, key), "c-method", (lambda d: lambda: d)(raw), keywords=False))
        elif isinstance(raw, _C_ATTRIBUTES):
            targets.append(Target("%s.%s.__get__" % (label, key), "c-attribute", (lambda d: lambda: d.__get__)(raw), keywords=False))
            targets.append(Target("%s.%s.__set__" % (label, key), "c-attribute", (lambda d: lambda: d.__set__)(raw), keywords=False))


def _type_targets(targets, label, cls, receiver=None):
    """Bridge functions and runtime methods in a type's own dictionary: unbound, rebound and bound."""
    runtime_type = cls.__module__ in ("pyhosting_managed", "pyhosting_stdio") or "FileIO" == cls.__name__
    for key, raw in sorted(vars(cls).items()):
        name = label + "." + key
        function = getattr(raw, "__func__", raw)
        if _is_bridge(function):
            targets.append(Target(name + " (bound)", "bound", (lambda c, k: lambda: getattr(c, k))(cls, key)))
            targets.append(Target(name + " (__func__ from __dict__)", "unbound", (lambda f: lambda: f)(function)))
            if isinstance(raw, (classmethod, staticmethod)):
                targets.append(Target(name + " (__get__ on int)", "rebound", (lambda r: lambda: r.__get__(None, int))(raw)))
                targets.append(Target(name + " (__get__ on a subclass)", "rebound", (lambda r, c: lambda: r.__get__(None, type("Sub", (c,), {})))(raw, cls)))
        elif runtime_type and callable(raw) and not isinstance(raw, type) and key not in ("__del__", "__init_subclass__", "__subclasshook__"):
            targets.append(Target(name + " (from __dict__)", "unbound", (lambda f: lambda: f)(raw)))
            # Python functions of the shim's types, and the C methods and slots of the C-level FileIO (bridge code too).
            if receiver is not None and isinstance(raw, (types.FunctionType, types.MethodDescriptorType, types.WrapperDescriptorType)):
                targets.append(Target(name + " (bound)", "bound", (lambda r, k: lambda: getattr(r(), k))(receiver, key)))
        elif runtime_type and isinstance(raw, types.GetSetDescriptorType) and key not in ("__dict__", "__weakref__"):
            for accessor in ("__get__", "__set__", "__delete__"):
                targets.append(Target(name + "." + accessor, "descriptor", (lambda d, a: lambda: getattr(d, a))(raw, accessor)))
        elif runtime_type and isinstance(raw, property):
            for accessor in ("fget", "fset", "fdel"):
                if getattr(raw, accessor) is not None:
                    targets.append(Target(name + "." + accessor, "descriptor", (lambda f: lambda: f)(getattr(raw, accessor))))
            targets.append(Target(name + ".__get__", "descriptor", (lambda p: lambda: p.__get__)(raw)))


def _hardened_targets(targets):
    """C methods whose function the runtime replaced: bound to a fresh receiver, and unbound."""
    import _locale
    import _queue
    import _thread

    def queue():
        q = _queue.SimpleQueue()
        for i in range(4):
            q.put(i)
        return q

    targets += [
        Target("_thread.LockType.acquire (bound)", "hardened", lambda: _thread.allocate_lock().acquire),
        Target("_thread.LockType.acquire_lock (bound)", "hardened", lambda: _thread.allocate_lock().acquire_lock),
        Target("_thread.LockType.__enter__ (bound)", "hardened", lambda: _thread.allocate_lock().__enter__),
        Target("_thread.RLock.acquire (bound)", "hardened", lambda: _thread.RLock().acquire),
        Target("_thread.RLock.__enter__ (bound)", "hardened", lambda: _thread.RLock().__enter__),
        Target("_queue.SimpleQueue.get (bound)", "hardened", lambda: queue().get),
        Target("_locale.setlocale", "hardened", lambda: _locale.setlocale),
        Target("_locale.bindtextdomain", "hardened", lambda: _locale.bindtextdomain),
        Target("_locale.textdomain", "hardened", lambda: _locale.textdomain),
        Target("_locale.bind_textdomain_codeset", "hardened", lambda: _locale.bind_textdomain_codeset),
        Target("sys.setswitchinterval", "hardened", lambda: sys.setswitchinterval, _restore_sys("getswitchinterval")),
        Target("sys._debugmallocstats", "hardened", lambda: sys._debugmallocstats),
        Target("_imp.acquire_lock", "hardened", lambda: _imp.acquire_lock, _release_import_lock),
        Target("code.replace (bound)", "hardened", lambda: (lambda: 0).__code__.replace),
    ]
    code_type = type((lambda: 0).__code__)
    for cls, keys in ((_thread.LockType, ("acquire", "acquire_lock", "__enter__")), (_thread.RLock, ("acquire", "__enter__")), (_queue.SimpleQueue, ("get",)), (code_type, ("replace",))):
        for key in keys:
            targets.append(Target("%s.%s.%s (from __dict__)" % (cls.__module__, cls.__name__, key), "hardened", (lambda d: lambda: d)(vars(cls)[key])))


def enumerate_targets():
    import io
    import os
    import _posixsubprocess

    for name in sys.builtin_module_names:
        try:
            __import__(name)
        except ImportError:
            pass
    targets = []
    seen = set()
    for name in sorted(sys.builtin_module_names) + ["_posixsubprocess"]:
        module = sys.modules.get(name)
        if module is not None:
            _module_targets(targets, seen, name, module, "function")
    # _sqlite3 is an extension, not a builtin: its module's bridge functions (connect) are reached once it is imported.
    import _sqlite3
    _module_targets(targets, seen, "_sqlite3", _sqlite3, "function")
    for name, module in _fresh_copies():
        _module_targets(targets, seen, "create_builtin(%s)" % name, module, "copy")

    # The standard streams: their bridge function, and their type's methods.
    for stream_name in ("stdout", "stderr"):
        stream = getattr(sys, "__" + stream_name + "__")
        for obj, label in ((stream, "sys.%s" % stream_name), (stream.buffer, "sys.%s.buffer" % stream_name)):
            for key, value in sorted(vars(obj).items()):
                if _is_bridge(value):
                    targets.append(Target("%s.%s" % (label, key), "function", (lambda v: lambda: v)(value)))
    for label, cls in (("stdout type", type(sys.__stdout__)), ("stdout.buffer type", type(sys.__stdout__.buffer))):
        _type_targets(targets, label, cls)

    # Types the runtime defines: the managed FileIO, DirEntry and the scandir iterator, with live receivers.
    _type_targets(targets, "io.FileIO", io.FileIO, _open_system_file)
    _type_targets(targets, "DirEntry", type(_entry()), _entry)
    _type_targets(targets, "scandir iterator", type(os.scandir(sys.prefix + "/lib/python3.11")), lambda: os.scandir(sys.prefix + "/lib/python3.11"))

    for target in targets:
        if target.name.endswith("setrecursionlimit"):
            target.after = _restore_sys("getrecursionlimit")
    _hardened_targets(targets)

    unique = {}
    for target in targets:
        unique.setdefault(target.name, target)
    return [unique[name] for name in sorted(unique)]


# ---- plans -------------------------------------------------------------------------------------------------

def plan(target):
    """The calls of a target: [(positional value indexes, {keyword: value index})], the same in every process."""
    rng = random.Random(zlib.crc32(target.name.encode()))
    n = len(VALUES)
    calls = [((), {})]
    for arity in range(1, MAX_ARITY + 3):
        permutations = []
        for _ in range(arity):
            p = list(range(n))
            rng.shuffle(p)
            permutations.append(p)
        for j in range(n):
            calls.append((tuple(permutations[pos][j] for pos in range(arity)), {}))
    if not target.keywords:
        return calls
    for keyword in KEYWORDS:
        prefixes = [()] + [(v,) for v in PLAUSIBLE] + [(rng.choice(PLAUSIBLE), rng.choice(PLAUSIBLE)) for _ in range(2)]
        for positional in prefixes:
            for value in (rng.randrange(n),) + PLAUSIBLE[:2]:
                calls.append((positional, {keyword: value}))
    for _ in range(RANDOM_KEYWORD_CALLS):
        positional = tuple(rng.randrange(n) for _ in range(rng.randrange(4)))
        keywords = {rng.choice(KEYWORDS): rng.randrange(n) for _ in range(rng.randrange(1, 3))}
        calls.append((positional, keywords))
    return calls


def describe(target, call):
    positional, keywords = call
    parts = [VALUES[i][0] for i in positional] + ["%s=%s" % (k, VALUES[i][0]) for k, i in keywords.items()]
    return "%s(%s)" % (target.name, ", ".join(parts))


def _may_wait(function, args, kwargs):
    """Whether a call could wait for real (a sleep or a select with a long or no timeout): not a fault, so skipped."""
    name = getattr(function, "__name__", "")
    if name == "pause":
        # signal.pause() waits for a signal, which nothing sends; with arguments it raises TypeError at once.
        return not args and not kwargs
    if name not in ("sleep", "select"):
        return False
    index, keyword = (0, "secs") if name == "sleep" else (3, "timeout")
    values = list(args[index:index + 1]) + ([kwargs[keyword]] if keyword in kwargs else [])
    if name == "select" and not values:
        return True
    for v in values:
        if v is None:
            return name == "select"
        try:
            seconds = float(v)
        except Exception:
            try:
                seconds = float(v.__index__())
            except Exception:
                continue
        if seconds != seconds or seconds > 0.05:
            return True
    return False


class _Canary:
    """Instantiated right after each call: a Python error the call left set surfaces here, as a SystemError."""


TARGETS = None
_SAVED_STANDARD = 1000  # below the runtime's 1024 descriptors, above every descriptor a hostile value names


def _reset_descriptors():
    """Puts back the standard descriptors and closes every other: a pipe an earlier call made, or put on 0, would wait for data."""
    import os
    for fd in range(3):
        os.dup2(_SAVED_STANDARD + fd, fd)
    os.closerange(3, _SAVED_STANDARD)


def setup(kinds=None):
    """Finds the targets (of the given kinds, or all); returns them with what the plans are made of."""
    global TARGETS
    import os
    for fd in range(3):
        os.dup2(fd, _SAVED_STANDARD + fd)
    TARGETS = [t for t in enumerate_targets() if kinds is None or t.kind in kinds]
    return {
        "targets": [[t.name, t.kind, len(plan(t))] for t in TARGETS],
        "values": len(VALUES),
        "maxArity": MAX_ARITY + 2,
    }


def _one(target, call):
    """Makes one call; returns None when it behaved, else what went wrong."""
    positional, keywords = call
    args = [VALUES[i][1]() for i in positional]
    kwargs = {k: VALUES[i][1]() for k, i in keywords.items()}
    function = target.factory()
    if _may_wait(function, args, kwargs):
        return "skipped"
    try:
        function(*args, **kwargs)
        _Canary()
    except SystemError as e:
        return "SystemError: %s" % (e,)
    except OSError as e:
        if e.errno == EIO:
            return "EIO (an unexpected .NET exception in the handler): %s" % (e,)
    except (Exception, SystemExit):
        pass
    except KeyboardInterrupt:
        # _thread.interrupt_main, raise_signal and pthread_kill emulate SIGINT on the calling thread: the default
        # handler raises it, as in CPython.
        if getattr(function, "__name__", None) not in ("interrupt_main", "raise_signal", "pthread_kill"):
            raise
    finally:
        if getattr(function, "__name__", None) in SIGNAL_STATE:
            _quiet_signals()
        if target.after is not None:
            target.after()
    return None


# Functions that change the call's emulated signals: a timer they armed must not fire into the driver's own code.
SIGNAL_STATE = ("alarm", "setitimer", "signal", "pthread_sigmask", "raise_signal", "pthread_kill")


def _quiet_signals():
    """Disarms the call's timer, ignores SIGALRM (a pending one is dropped) and clears the mask."""
    import _signal
    _signal.signal(_signal.SIGALRM, _signal.SIG_IGN)
    _signal.setitimer(_signal.ITIMER_REAL, 0)
    _signal.pthread_sigmask(_signal.SIG_SETMASK, [])


def run(index, start=0, stop=None):
    """Runs calls [start, stop) of target `index`; returns [calls made, skipped, arities, faults]."""
    target = TARGETS[index]
    calls = plan(target)[start:stop]
    _reset_descriptors()
    made = skipped = 0
    arities = set()
    faults = []
    for offset, call in enumerate(calls):
        outcome = _one(target, call)
        if outcome == "skipped":
            skipped += 1
            continue
        made += 1
        arities.add(len(call[0]))
        if outcome is not None:
            faults.append("%s -> %s" % (describe(target, call), outcome))
    gc.collect()
    return [made, skipped, sorted(arities), faults]


def call_description(index, position):
    target = TARGETS[index]
    return describe(target, plan(target)[position])
