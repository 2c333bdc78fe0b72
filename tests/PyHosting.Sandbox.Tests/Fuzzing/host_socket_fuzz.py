# Calls every method of the host socket type and every _socket function reachable with
# PythonRuntime:Permissions:HostSockets=true with hostile arguments (HostSocketFuzzTests).
#
# Same protocol as bridge_fuzz.py (setup, run, call_description), other targets and values. The values keep to
# loopback: addresses are 127.0.0.1, ::1, 'localhost' or numeric hosts, ports are the fuzz's own listeners (or a
# closed one, refused at once), every receiver has a timeout of at most 50 ms, and a call that could resolve a
# name other than these, or wait without end, is skipped as a legitimate wait. Receivers are made fresh for each
# call; sockets from other calls (live, closed, their numbers reused) are values too.
#
# A call may return or raise a Python exception. What it must not do: end the host, raise SystemError, fail with
# the EIO the runtime reports for an unexpected .NET exception, raise an exception of a type outside the
# exceptions a socket call raises, return a .NET object, or leave a descriptor number that names a host
# descriptor. The C# side compares the host process's descriptors before and after.
import _socket
import array
import errno
import gc
import io
import os
import random
import socket
import sys
import zlib

MAX_ARITY = 2
EIO = 5
SHORT = 0.05

SAFE_HOSTS = ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::", "", "127.1", "0", b"127.0.0.1", b"localhost")


# ---- the fuzz's own peers ----------------------------------------------------------------------------------

class Peers:
    """Listeners and datagram sockets the fuzz owns, made once per process: what hostile addresses point at."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.tcp.settimeout(SHORT)
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.0)
        self.udp_port = self.udp.getsockname()[1]
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        self.closed_port = closed.getsockname()[1]
        closed.close()
        try:
            self.tcp6 = socket.socket(socket.AF_INET6)
            self.tcp6.bind(("::1", 0))
            self.tcp6.listen(8)
            self.tcp6_port = self.tcp6.getsockname()[1]
        except OSError:
            self.tcp6, self.tcp6_port = None, self.tcp_port

    def alive(self):
        """Whether a hostile call closed (or replaced) one of the peers' descriptors."""
        try:
            return self.tcp.getsockname()[1] == self.tcp_port and self.udp.getsockname()[1] == self.udp_port
        except OSError:
            return False

    def drain(self):
        """Accepts and closes what connected meanwhile, and empties the datagram queue, so that backlogs do not fill."""
        self.tcp.settimeout(0.0)
        try:
            while True:
                conn, _ = self.tcp.accept()
                conn.close()
        except OSError:
            pass
        try:
            while True:
                self.udp.recv(65536)
        except OSError:
            pass


PEERS = None
LEFTOVERS = []  # sockets kept from earlier calls: values "socket from another call"


def _short(s):
    s.settimeout(SHORT)
    return s


def tcp_client():
    c = _short(socket.socket())
    c.connect(("127.0.0.1", PEERS.tcp_port))
    conn, _ = PEERS.tcp.accept()
    conn.sendall(b"0123456789" * 8)
    LEFTOVERS.append(conn)
    return c


def tcp_served():
    c = socket.socket()
    c.settimeout(SHORT)
    c.connect(("127.0.0.1", PEERS.tcp_port))
    conn, _ = PEERS.tcp.accept()
    c.sendall(b"abcdefgh" * 8)
    LEFTOVERS.append(c)
    return _short(conn)


def tcp_listening():
    s = _short(socket.socket())
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def tcp_fresh():
    return _short(socket.socket())


def udp_bound():
    s = _short(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    s.bind(("127.0.0.1", 0))
    PEERS.udp.sendto(b"datagram", s.getsockname())
    return s


def tcp6_fresh():
    return _short(socket.socket(socket.AF_INET6))


def unix_dgram_pair_end():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    b.send(b"unix datagram")
    LEFTOVERS.append(b)
    return _short(a)


def unix_stream_fresh():
    return _short(socket.socket(socket.AF_UNIX))


def closed_socket():
    s = socket.socket()
    s.close()
    return s


RECEIVERS = (
    ("tcp connected", tcp_client),
    ("tcp accepted", tcp_served),
    ("tcp listening", tcp_listening),
    ("tcp new", tcp_fresh),
    ("udp bound", udp_bound),
    ("tcp6 new", tcp6_fresh),
    ("unix dgram pair", unix_dgram_pair_end),
    ("unix stream new", unix_stream_fresh),
    ("closed", closed_socket),
)



# ---- hostile values ----------------------------------------------------------------------------------------

class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        if isinstance(self.value, BaseException):
            raise self.value
        if callable(self.value):
            return self.value()
        return self.value


class Flipping:
    """An int-like that answers differently on each conversion: a check and a use see two numbers."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __index__(self):
        value = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return value

    __int__ = __index__


class LyingItem(list):
    """An ancillary-data item whose items change between reads: harmless at the check, SCM_RIGHTS at the use."""

    def __init__(self, harmless, hostile):
        super().__init__(harmless)
        self.hostile = hostile
        self.reads = 0

    def __getitem__(self, i):
        self.reads += 1
        return (list.__getitem__(self, i) if self.reads <= 3 else self.hostile[i])

    def __len__(self):
        return 3


class LyingTuple(tuple):
    """A tuple subclass whose __getitem__ and __len__ lie (the C level sees the real items)."""

    def __getitem__(self, i):
        return ("lie", i)

    def __len__(self):
        return 99


class Lying:
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
    def __getattribute__(self, name):
        raise RuntimeError("Raising." + name)

    def __bool__(self):
        raise RuntimeError("Raising.__bool__")

    __hash__ = None


class FileNo:
    def __init__(self, value):
        self.value = value

    def fileno(self):
        if callable(self.value):
            return self.value()
        return self.value


class StrSub(str):
    def __eq__(self, other):
        raise RuntimeError("StrSub.__eq__")

    __hash__ = str.__hash__

    def encode(self, *args, **kwargs):
        return b"/etc/passwd"

    def __fspath__(self):
        return "/etc/passwd"


SHARED = bytearray(64)


def _shared():
    SHARED[:] = bytes(64)
    return SHARED


def _shrink():
    SHARED.clear()
    return 64


def _grow():
    SHARED.extend(bytes(1 << 16))
    return 64


def _released():
    m = memoryview(bytearray(16))
    m.release()
    return m


def _leftover():
    for s in reversed(LEFTOVERS):
        if s.fileno() >= 0:
            return s
    return socket.socket()


def _closed_number():
    s = socket.socket()
    n = s.fileno()
    s.close()
    return n


def _reused_number():
    s = socket.socket()
    n = s.fileno()
    s.close()
    LEFTOVERS.append(socket.socket())  # takes the lowest free number: n again
    return n


def _dup_number():
    s = socket.socket()
    LEFTOVERS.append(s)
    n = _socket.dup(s.fileno())
    LEFTOVERS.append(socket.socket(fileno=n))
    return n


def _rights(numbers):
    return [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", numbers))]


def _lying_rights():
    return [LyingItem([0, 0, b""], [socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2])])]


def _flipping_rights():
    return [(socket.SOL_SOCKET, Flipping(0, socket.SCM_RIGHTS), array.array("i", [0, 1, 2]))]


def _growing_rights():
    data = bytearray(b"\0\0")

    class Grows:
        def __index__(self):
            data[:] = array.array("i", [0, 1, 2]).tobytes()
            return socket.SOL_SOCKET

    return [(Grows(), socket.SCM_RIGHTS, data)]


def _tcp_address():
    return ("127.0.0.1", PEERS.tcp_port)


def _udp_address():
    return ("127.0.0.1", PEERS.udp_port)


def _own_unix_abstract():
    return b"\0pyhosting-fuzz-%d" % os.getpid()


VALUES = (
    ("None", lambda: None),
    ("0", lambda: 0),
    ("1", lambda: 1),
    ("-1", lambda: -1),
    ("2**31", lambda: 2 ** 31),
    ("2**63", lambda: 2 ** 63),
    ("-2**63-1", lambda: -2 ** 63 - 1),
    ("2**200", lambda: 2 ** 200),
    ("65536", lambda: 65536),
    ("1<<30", lambda: 1 << 30),
    ("True", lambda: True),
    ("0.01", lambda: 0.01),
    ("nan", lambda: float("nan")),
    ("-inf", lambda: float("-inf")),
    ("''", lambda: ""),
    ("'a\\0b'", lambda: "a\0b"),
    ("lone surrogate", lambda: "\udcff"),
    ("b''", lambda: b""),
    ("b'x'*70000", lambda: b"x" * 70000),
    ("bytearray(16)", lambda: bytearray(16)),
    ("memoryview", lambda: memoryview(bytearray(8))),
    ("readonly memoryview", lambda: memoryview(b"abc")),
    ("released memoryview", _released),
    ("strided memoryview", lambda: memoryview(bytearray(b"abcdef"))[::2]),
    ("array('d')", lambda: array.array("d", [1.0, 2.0])),
    ("shared bytearray", _shared),
    ("Index(shrinks shared)", lambda: Index(_shrink)),
    ("Index(grows shared)", lambda: Index(_grow)),
    ("Index(raises)", lambda: Index(RuntimeError("__index__"))),
    ("Index(2**200)", lambda: Index(2 ** 200)),
    ("Flipping(1, -1)", lambda: Flipping(1, -1)),
    ("MSG_PEEK", lambda: socket.MSG_PEEK),
    ("MSG_DONTWAIT|MSG_PEEK", lambda: socket.MSG_DONTWAIT | socket.MSG_PEEK),
    ("MSG_OOB", lambda: socket.MSG_OOB),
    ("MSG_ERRQUEUE", lambda: socket.MSG_ERRQUEUE),
    ("MSG_TRUNC|MSG_WAITALL", lambda: socket.MSG_TRUNC | socket.MSG_WAITALL),
    ("0xFFFFFFFF", lambda: 0xFFFFFFFF),
    ("SOL_SOCKET", lambda: socket.SOL_SOCKET),
    ("SO_RCVBUF", lambda: socket.SO_RCVBUF),
    ("SO_BINDTODEVICE", lambda: socket.SO_BINDTODEVICE),
    ("IPPROTO_IP", lambda: socket.IPPROTO_IP),
    ("IP_OPTIONS", lambda: socket.IP_OPTIONS),
    ("b'lo\\0'", lambda: b"lo\0"),
    ("AF_UNIX", lambda: socket.AF_UNIX),
    ("AF_NETLINK", lambda: socket.AF_NETLINK),
    ("AF_PACKET", lambda: socket.AF_PACKET),
    ("SOCK_RAW", lambda: socket.SOCK_RAW),
    ("SOCK_DGRAM|SOCK_NONBLOCK", lambda: socket.SOCK_DGRAM | socket.SOCK_NONBLOCK),
    ("own tcp address", _tcp_address),
    ("own udp address", _udp_address),
    ("closed port address", lambda: ("127.0.0.1", PEERS.closed_port)),
    ("('localhost', own port)", lambda: ("localhost", PEERS.tcp_port)),
    ("('::1', port, 0, 0)", lambda: ("::1", PEERS.tcp6_port, 0, 0)),
    ("('::1', port, 2**40, -1)", lambda: ("::1", PEERS.tcp6_port, 2 ** 40, -1)),
    ("('127.0.0.1', 2**16)", lambda: ("127.0.0.1", 2 ** 16)),
    ("('127.0.0.1', -1)", lambda: ("127.0.0.1", -1)),
    ("(b'127.0.0.1', 0)", lambda: (b"127.0.0.1", 0)),
    ("('127.0.0.1',)", lambda: ("127.0.0.1",)),
    ("(0, 0) netlink", lambda: (0, 0)),
    ("('lo', 3) packet", lambda: ("lo", 0x0003)),
    ("('lo', 3, 0, 0, b'x'*9) packet", lambda: ("lo", 0x0003, 0, 0, b"x" * 9)),
    ("unix path /tmp", lambda: "/tmp/pyhosting-fuzz.sock"),
    ("unix path host", lambda: b"/run/pyhosting-fuzz.sock"),
    ("unix path long", lambda: "/tmp/" + "x" * 200),
    ("unix abstract", _own_unix_abstract),
    ("unix abstract str", lambda: "\0pyhosting-fuzz"),
    ("StrSub path", lambda: StrSub("/tmp/pyhosting-fuzz-sub.sock")),
    ("SCM_RIGHTS [0,1,2]", lambda: _rights([0, 1, 2])),
    ("SCM_RIGHTS [2**31-1]", lambda: _rights([2 ** 31 - 1])),
    ("SCM_RIGHTS short", lambda: [(socket.SOL_SOCKET, socket.SCM_RIGHTS, b"\0\0")]),
    ("SCM_RIGHTS lying item", _lying_rights),
    ("SCM_RIGHTS flipping type", _flipping_rights),
    ("SCM_RIGHTS growing data", _growing_rights),
    ("SCM_CREDENTIALS", lambda: [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, array.array("i", [os.getpid(), 0, 0]))]),
    ("ancdata huge", lambda: [(socket.SOL_SOCKET, 99, b"x" * 70000)]),
    ("[bytearray, memoryview]", lambda: [bytearray(4), memoryview(bytearray(4))]),
    ("[shared bytearray]", lambda: [_shared()]),
    ("[b'x']*2000", lambda: [b"x"] * 2000),
    ("LyingTuple", lambda: LyingTuple((1, 2))),
    ("Lying(-1)", lambda: Lying(-1)),
    ("Lying(2**62)", lambda: Lying(2 ** 62)),
    ("Raising", lambda: Raising()),
    ("socket from another call", _leftover),
    ("closed socket", closed_socket),
    ("closed descriptor number", _closed_number),
    ("reused descriptor number", _reused_number),
    ("dup'd descriptor number", _dup_number),
    ("host's descriptor 2", lambda: 2),
    ("FileNo(closed number)", lambda: FileNo(_closed_number)),
    ("file object", lambda: open(os.__file__, "rb")),
    ("object()", lambda: object()),
    ("{}", lambda: {}),
)

_LABELS = [label for label, _ in VALUES]
PLAUSIBLE = tuple(_LABELS.index(label) for label in ("own tcp address", "bytearray(16)", "0"))

# Combinations a random plan would rarely draw: a buffer with an argument that resizes it.
COMBINATIONS = (
    ("shared bytearray", "Index(shrinks shared)"),
    ("shared bytearray", "Index(grows shared)"),
    ("shared bytearray", "0", "Index(shrinks shared)"),
    ("[shared bytearray]", "Index(shrinks shared)"),
    ("[shared bytearray]", "Index(grows shared)", "0"),
    ("[b'x']", "SCM_RIGHTS lying item"),
    ("[b'x']", "SCM_RIGHTS flipping type"),
    ("[b'x']", "SCM_RIGHTS growing data"),
    ("[b'x']", "SCM_RIGHTS [0,1,2]"),
    ("[b'x']", "SCM_CREDENTIALS", "0"),
    ("[b'x']", "[]", "0", "unix abstract"),
    ("[b'x']", "[]", "0", "unix path host"),
    ("b'x'", "0", "unix abstract"),
    ("b'x'", "unix path host"),
    ("65536", "65536", "0"),
    ("16", "1<<30", "MSG_DONTWAIT"),
)

# Values only the combinations use.
EXTRA = {
    "[b'x']": lambda: [b"x"],
    "[]": lambda: [],
    "b'x'": lambda: b"x",
    "16": lambda: 16,
    "MSG_DONTWAIT": lambda: socket.MSG_DONTWAIT,
}


def _value(label):
    return EXTRA[label] if label in EXTRA else VALUES[_LABELS.index(label)][1]


# ---- targets -----------------------------------------------------------------------------------------------

RESOLVERS = ("getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "create_connection", "create_server", "getfqdn")
RESTORE = {"setdefaulttimeout": lambda: socket.setdefaulttimeout(None)}


class Target:
    __slots__ = ("name", "kind", "factory", "after", "arity")

    def __init__(self, name, kind, factory, after=None, arity=MAX_ARITY):
        self.name = name
        self.kind = kind
        self.factory = factory
        self.after = after
        self.arity = arity


def _methods(cls):
    names = []
    for klass in cls.__mro__:
        if klass is object:
            continue
        for key, value in vars(klass).items():
            if callable(value) and not isinstance(value, type) and (not key.startswith("__") or key in ("__repr__", "__getstate__", "__enter__", "__exit__")) and key not in ("__del__",):
                names.append(key)
    return sorted(set(names))


def _ops():
    """The shim's operations, as its methods' closures hold them."""
    ops = {}
    for key, value in vars(_socket.socket).items():
        function = getattr(value, "fget", value)
        code = getattr(function, "__code__", None)
        if code is None or not function.__closure__:
            continue
        for name, cell in zip(code.co_freevars, function.__closure__):
            try:
                contents = cell.cell_contents
            except ValueError:
                continue
            if callable(contents) and type(contents).__name__ == "builtin_function_or_method":
                ops[name] = contents
    return ops


def _receiver_for(method):
    """The receivers a method's calls rotate over (one per call, by the call's position)."""
    if method in ("makefile", "sendfile", "__repr__", "__getstate__", "__enter__", "__exit__", "dup", "detach", "close"):
        return ("tcp connected", "closed")
    return tuple(label for label, _ in RECEIVERS)


def enumerate_targets():
    targets = []
    receivers = dict(RECEIVERS)
    for method in _methods(socket.socket):
        labels = _receiver_for(method)
        targets.append(Target("socket." + method, "method", (lambda ls, m: lambda i: getattr(receivers[ls[i % len(ls)]](), m))(labels, method)))
    # Every function of _socket (the shim's class and its socket.py subclass included), and socket.py's helpers over it.
    for name in sorted(dir(_socket)):
        value = getattr(_socket, name)
        if callable(value) and not name.startswith("__") and not (isinstance(value, type) and issubclass(value, BaseException)):
            targets.append(Target("_socket." + name, "function", (lambda v: lambda i: v)(value), RESTORE.get(name)))
    for name in ("socket", "fromfd", "socketpair", "create_connection", "create_server", "getfqdn", "send_fds", "recv_fds", "has_dualstack_ipv6"):
        if hasattr(socket, name):
            targets.append(Target("socket.py " + name, "function", (lambda n: lambda i: getattr(socket, n))(name)))
    # The shim's operations, reachable through closures: the numbers and arguments are Python's to choose.
    for name, op in sorted(_ops().items()):
        targets.append(Target("op " + name, "op", (lambda o: lambda i: o)(op), arity=4))
    unique = {}
    for t in targets:
        unique.setdefault(t.name, t)
    return [unique[n] for n in sorted(unique)]


# ---- plans -------------------------------------------------------------------------------------------------

def plan(target):
    """[(positional labels, {keyword: label})], the same in every process."""
    rng = random.Random(zlib.crc32(target.name.encode()))
    n = len(VALUES)
    calls = [((), {})]
    for arity in range(1, target.arity + 1):
        permutations = []
        for _ in range(arity):
            p = list(range(n))
            rng.shuffle(p)
            permutations.append(p)
        for j in range(n):
            calls.append((tuple(_LABELS[permutations[pos][j]] for pos in range(arity)), {}))
    for combination in COMBINATIONS:
        calls.append((combination, {}))
    if target.kind == "op":
        # A live host socket's number first, then what the operation reads.
        for _ in range(n):
            calls.append((("live descriptor number",) + tuple(_LABELS[rng.randrange(n)] for _ in range(rng.randrange(1, 5))), {}))
        for name in ("recv", "bind", "connect", "sendmsg", "recvmsg_into", "setsockopt", "_accept", "listen"):
            for label in ("[own tcp address]", "own tcp address", "LyingTuple", "Lying(-1)", "None", "{}"):
                calls.append((("live descriptor number", "'%s'" % name, label, "0.01"), {}))
    for keyword in ("flags", "address", "buffer", "nbytes", "bufsize", "ancdata", "family", "type", "proto", "fileno", "timeout", "host", "port"):
        for _ in range(2):
            positional = tuple(rng.choice(PLAUSIBLE) for _ in range(rng.randrange(3)))
            calls.append((tuple(_LABELS[i] for i in positional), {keyword: _LABELS[rng.randrange(n)]}))
    return calls


OP_VALUES = {
    "live descriptor number": lambda: _live_number(),
    "[own tcp address]": lambda: [_tcp_address()],
}


def _live_number():
    s = tcp_client()
    LEFTOVERS.append(s)
    return s.fileno()


def _make(label):
    if label in OP_VALUES:
        return OP_VALUES[label]()
    if label.startswith("'") and label.endswith("'"):
        return label[1:-1]
    return _value(label)()


def describe(target, call, position):
    positional, keywords = call
    name = target.name
    if target.kind == "method":
        labels = _receiver_for(name.split(".", 1)[1])
        name = "(%s socket).%s" % (labels[position % len(labels)], name.split(".", 1)[1])
    return "%s(%s)" % (name, ", ".join(list(positional) + ["%s=%s" % kv for kv in keywords.items()]))


def _strings(value, depth=0):
    if type(value) is Raising:
        return
    if isinstance(value, (str, bytes)):
        yield value
    elif depth < 2 and isinstance(value, (tuple, list)) and not isinstance(value, LyingTuple):
        for item in value:
            yield from _strings(item, depth + 1)


def _may_wait(target, args, kwargs):
    """Whether a call could wait for real: a name that is not loopback's to resolve, or no timeout at all."""
    short = target.name.rsplit(".", 1)[-1].split(" ")[-1]
    values = list(args) + list(kwargs.values())
    if short == "_call" and len(args) >= 2:
        values = [args[0]] + list(args[2:]) + list(kwargs.values())  # the operation's name is not an address
    if short in RESOLVERS or short in ("connect", "connect_ex", "bind", "sendto", "sendmsg", "create_connection") or target.kind == "op":
        for v in values:
            for s in _strings(v):
                text = bytes(s).decode("latin-1") if isinstance(s, bytes) else str.__str__(s)
                if text in SAFE_HOSTS or text.startswith("\0") or text.startswith("/") or "\0" in text or not text.isprintable() or len(text) > 253 or text.isdigit():
                    continue
                return True
    if target.kind == "op":
        # An operation's timeout (its last argument) of None waits without end.
        last = {"_call": 3, "_recv": 3, "_send": 3, "_sendall": 3, "_recv_into": 4}.get(short)
        if last is not None and (len(args) <= last or args[last] is None):
            return True
    if short in ("create_connection",) and len(args) < 2 and "timeout" not in kwargs:
        return True
    if short == "settimeout" or short == "setblocking":
        return False
    return False


ALLOWED = (socket._GiveupOnSendfile, OSError, TypeError, ValueError, OverflowError, RuntimeError, IndexError, BufferError, AttributeError, KeyError, MemoryError, NotImplementedError, UnicodeError, io.UnsupportedOperation)


def _foreign(value, depth=0):
    """Whether a .NET object (or anything of the bridge's own making) is in a result."""
    if type(value) is Raising:
        return False
    module = getattr(type(value), "__module__", "") or ""
    if module.startswith(("System", "clr", "Python.Runtime", "PyHosting")):
        return True
    if depth < 3 and isinstance(value, (tuple, list)):
        return any(_foreign(v, depth + 1) for v in value)
    return False


TARGETS = None


def setup(kinds=None):
    global TARGETS, PEERS
    PEERS = Peers()
    TARGETS = [t for t in enumerate_targets() if kinds is None or t.kind in kinds]
    return {
        "targets": [[t.name, t.kind, len(plan(t))] for t in TARGETS],
        "values": len(VALUES),
        "maxArity": MAX_ARITY,
    }


class _Canary:
    pass


def _one(target, call, position):
    positional, keywords = call
    for attempt in range(3):
        try:
            args = [_make(label) for label in positional]
            kwargs = {k: _make(label) for k, label in keywords.items()}
            function = target.factory(position)
            break
        except OSError as e:
            # A hostile call before this one closed a peer, or filled a backlog: the peers are made again.
            _cleanup(renew=True)
            if attempt == 2:
                return "receiver or value not made: %r" % (e,)
    if _may_wait(target, args, kwargs):
        return "skipped"
    try:
        result = function(*args, **kwargs)
        _Canary()
        if _foreign(result):
            return "a .NET object reached Python: %r" % (type(result),)
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], socket.socket):
            LEFTOVERS.append(result[0])
    except SystemError as e:
        return "SystemError: %s" % (e,)
    except OSError as e:
        if e.errno == EIO:
            return "EIO (an unexpected .NET exception in the handler): %s" % (e,)
    except ALLOWED:
        pass
    except (Exception, SystemExit) as e:
        return "unexpected %s: %s" % (type(e).__name__, e)
    finally:
        if target.after is not None:
            target.after()
    return None


def _cleanup(renew=False):
    while len(LEFTOVERS) > 64:
        s = LEFTOVERS.pop(0)
        try:
            s.close()
        except OSError:
            pass
    global PEERS
    if renew or not PEERS.alive():
        for s in (PEERS.tcp, PEERS.udp, PEERS.tcp6):
            if s is not None:
                s.detach()  # its number may be another socket's by now
        PEERS = Peers()
    PEERS.drain()


def run(index, start=0, stop=None):
    """Runs calls [start, stop) of target `index`; returns [made, skipped, arities, faults]."""
    target = TARGETS[index]
    calls = plan(target)[start:stop]
    made = skipped = 0
    arities = set()
    faults = []
    for offset, call in enumerate(calls):
        outcome = _one(target, call, start + offset)
        _cleanup()
        if outcome == "skipped":
            skipped += 1
            continue
        made += 1
        arities.add(len(call[0]))
        if outcome is not None:
            faults.append("%s -> %s" % (describe(target, call, start + offset), outcome))
    gc.collect()
    return [made, skipped, sorted(arities), faults]


def finish():
    """Closes every socket the fuzz made, then every descriptor of the runtime above the standard ones; returns those still open."""
    global LEFTOVERS
    for s in LEFTOVERS:
        try:
            s.close()
        except OSError:
            pass
    LEFTOVERS = []
    for s in (PEERS.tcp, PEERS.udp, PEERS.tcp6):
        if s is not None:
            s.close()
    gc.collect()
    # Numbers hostile calls made and dropped (dup, detach, the operations' own): closing the runtime's descriptors
    # must release their host sockets, which the C# side checks.
    os.closerange(3, 1024)
    # A hostile close of 0, 1 or 2 lets a later socket take that number.
    import stat
    for fd in range(3):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass
    left = []
    for fd in range(1024):
        if fd < 3:
            try:
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    continue
            except OSError:
                continue
        try:
            os.fstat(fd)
            left.append(fd)
        except OSError:
            pass
    return left


def call_description(index, position):
    target = TARGETS[index]
    return describe(target, plan(target)[position], position)
