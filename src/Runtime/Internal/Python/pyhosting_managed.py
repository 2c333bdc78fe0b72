# Managed backend: Python-level conveniences over the host bridge. Every check happens in the
# host: these functions only call the managed posix functions, which refuse what the permissions
# do not allow. No original OS function is reachable from here.
import posix as _posix

# The managed io.FileIO: a C-level type of the host (its methods work on the runtime's descriptors), set here by
# the host once this module has run. open() and io.open_code are host functions too.
FileIO = None


class DirEntry:
    """An entry of os.scandir in the managed backend (os.DirEntry and posix.DirEntry): made by os.scandir only.
    Its module stays this one: a type named posix.DirEntry is CPython's, whose constructor the host refuses."""

    __slots__ = ("name", "path", "_kind", "_inode", "_stat", "_lstat", "_dir_fd")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'posix.DirEntry' instances")

    def __reduce__(self):
        raise TypeError("cannot pickle 'posix.DirEntry' object")

    def inode(self):
        return self._inode

    def is_symlink(self):
        return self._kind == 2

    def is_dir(self, *, follow_symlinks=True):
        if self._kind == 2 and follow_symlinks:
            try:
                return (self.stat().st_mode & 0o170000) == 0o040000
            except OSError:
                return False
        return self._kind == 1

    def is_file(self, *, follow_symlinks=True):
        if self._kind == 2 and follow_symlinks:
            try:
                return (self.stat().st_mode & 0o170000) == 0o100000
            except OSError:
                return False
        return self._kind == 0

    def stat(self, *, follow_symlinks=True):
        if follow_symlinks:
            if self._stat is None:
                self._stat = _posix.stat(self.path, dir_fd=self._dir_fd)
            return self._stat
        if self._lstat is None:
            self._lstat = _posix.lstat(self.path, dir_fd=self._dir_fd)
        return self._lstat

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % (self.name,)

    @classmethod
    def __class_getitem__(cls, item):
        import types
        return types.GenericAlias(cls, item)


def _entry(name, path, kind, inode, dir_fd=None):
    entry = object.__new__(DirEntry)
    entry.name = name
    entry.path = path
    entry._kind = kind
    entry._inode = inode
    entry._stat = None
    entry._lstat = None
    entry._dir_fd = dir_fd
    return entry


class _ScandirIterator:
    """As CPython's ScandirIterator: an iterator neither exhausted nor closed warns (ResourceWarning) when collected."""

    def __init__(self, entries):
        self._entries = iter(entries)
        self._open = True

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._entries)
        except StopIteration:
            self._open = False
            raise

    def close(self):
        self._open = False
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def __del__(self):
        if self._open:
            import warnings
            warnings.warn("unclosed scandir iterator %r" % (self,), ResourceWarning, source=self)
            self.close()


def make_scandir(path, entries, as_bytes, dir_fd=None):
    if dir_fd is not None:
        # scandir(fd): as in CPython, an entry's path is its name, and its stat() is relative to the descriptor.
        return _ScandirIterator([_entry(n, n, k, i, dir_fd) for n, k, i in entries])
    base = _posix.fspath(path)
    if as_bytes:
        sep = b"" if base.endswith(b"/") else b"/"
        made = [_entry(n.encode(), base + sep + n.encode(), k, i) for n, k, i in entries]
    else:
        sep = "" if base.endswith("/") else "/"
        made = [_entry(n, base + sep + n, k, i) for n, k, i in entries]
    return _ScandirIterator(made)


def bind_standard_streams():
    """sys.stdout and sys.stderr are the runtime's descriptors 1 and 2 (subprocess asks them for fileno())."""
    import sys
    for stream, fd in ((getattr(sys, "__stdout__", None), 1), (getattr(sys, "__stderr__", None), 2)):
        for target in (stream, getattr(stream, "buffer", None)):
            if target is None:
                continue
            try:
                target.fileno()
            except (AttributeError, OSError, ValueError):
                try:
                    target.fileno = (lambda n: lambda: n)(fd)
                except (AttributeError, TypeError):
                    pass


def make_socket_type(ops):
    """The socket type of the managed _socket, on virtual descriptors: ends of the runtime's own socket pairs and,
    when HostSockets allows them, host sockets (whose operations the host forwards by the descriptor's number).
    Every operation is a bridge function that checks the descriptor and the permissions in the host."""
    _adopt, _refuse, _recv, _recv_into, _send, _sendall = (
        ops["adopt"], ops["refuse"], ops["recv"], ops["recv_into"], ops["send"], ops["sendall"])
    _set_timeout, _shutdown, _close, _defaulttimeout = ops["settimeout"], ops["shutdown"], ops["close"], ops["getdefaulttimeout"]
    _create, _call = ops["create"], ops["call"]
    _SOCK_NONBLOCK = 0x800
    _MSG_DONTWAIT = 0x40
    _absent = object()
    import warnings as _warnings

    def _timeout_value(value):
        if value is None:
            return None
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError("Timeout value must be int, float or None") from None
        if value != value:
            raise ValueError("Invalid value NaN (not a number)")
        if value < 0:
            raise ValueError("Timeout value out of range")
        if value > 9.2e9:
            raise OverflowError("timeout doesn't fit into C timeval")
        return value

    class socket:
        """socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None) -> socket object

        In the managed backend a socket is one end of socket.socketpair(), a byte stream between two virtual
        descriptors of the runtime, or, with PythonRuntime:Permissions:HostSockets, a host socket behind a
        virtual descriptor. fileno= adopts only the runtime's own socket descriptors."""

        __slots__ = ("_fd", "_family", "_type", "_proto", "_timeout", "_host")
        __module__ = "_socket"

        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            nonblocking = type != -1 and type & _SOCK_NONBLOCK
            if fileno is None:
                fd, family, type, proto, host = _create(family, type, proto)
            else:
                fd, family, type, proto, host = _adopt(fileno, family, type, proto)
            self._fd, self._family, self._type, self._proto = fd, family, type & ~(_SOCK_NONBLOCK | 0x80000), proto
            self._host = host
            timeout = 0.0 if nonblocking or type & _SOCK_NONBLOCK else _defaulttimeout()
            self._timeout = timeout
            _set_timeout(fd, timeout)

        family = property(lambda self: self._family, doc="the socket family")
        type = property(lambda self: self._type, doc="the socket type")
        proto = property(lambda self: self._proto, doc="the socket protocol")
        timeout = property(lambda self: self._timeout, doc="the socket timeout")

        def _live(self):
            fd = getattr(self, "_fd", -1)
            if fd < 0:
                raise OSError(9, "Bad file descriptor")
            return fd

        def _wait(self, flags):
            return 0.0 if flags & _MSG_DONTWAIT else self._timeout

        def fileno(self):
            return getattr(self, "_fd", -1)

        def detach(self):
            fd, self._fd = getattr(self, "_fd", -1), -1
            return fd

        def close(self):
            fd, self._fd = getattr(self, "_fd", -1), -1
            if fd >= 0:
                try:
                    _close(fd)
                except OSError as e:
                    if e.errno != 104:
                        raise

        def __del__(self):
            if getattr(self, "_fd", -1) >= 0:
                try:
                    _warnings.warn("unclosed %r" % (self,), ResourceWarning, source=self)
                except Exception:
                    pass
                try:
                    self.close()
                except OSError:
                    pass

        def settimeout(self, value):
            value = _timeout_value(value)
            fd = self._live()
            _set_timeout(fd, value)
            self._timeout = value

        def gettimeout(self):
            return self._timeout

        def setblocking(self, flag):
            self.settimeout(None if flag else 0.0)

        def getblocking(self):
            return self._timeout != 0.0

        def recv(self, bufsize, flags=0):
            if self._host:
                return _call(self._live(), "recv", (bufsize, flags), self._wait(flags))
            return _recv(self._live(), bufsize, flags, self._timeout)

        def recv_into(self, buffer, nbytes=0, flags=0):
            if self._host:
                return _call(self._live(), "recv_into", (buffer, nbytes, flags), self._wait(flags))
            return _recv_into(self._live(), buffer, nbytes, flags, self._timeout)

        def recvfrom(self, bufsize, flags=0):
            if self._host:
                return _call(self._live(), "recvfrom", (bufsize, flags), self._wait(flags))
            return self.recv(bufsize, flags), None

        def recvfrom_into(self, buffer, nbytes=0, flags=0):
            if self._host:
                return _call(self._live(), "recvfrom_into", (buffer, nbytes, flags), self._wait(flags))
            return self.recv_into(buffer, nbytes, flags), None

        def recvmsg(self, bufsize, ancbufsize=0, flags=0):
            if self._host:
                return _call(self._live(), "recvmsg", (bufsize, ancbufsize, flags), self._wait(flags))
            if bufsize < 0:
                raise ValueError("negative buffer size in recvmsg()")
            return self.recv(bufsize, flags), [], 0, None

        def recvmsg_into(self, buffers, ancbufsize=0, flags=0):
            if self._host:
                return _call(self._live(), "recvmsg_into", (list(buffers), ancbufsize, flags), self._wait(flags))
            total = 0
            for b in buffers:
                n = self.recv_into(b, 0, flags)
                total += n
                if n < len(memoryview(b)):
                    break
            return total, [], 0, None

        def send(self, data, flags=0):
            if self._host:
                return _call(self._live(), "send", (data, flags), self._wait(flags))
            return _send(self._live(), data, flags, self._timeout)

        def sendall(self, data, flags=0):
            if self._host:
                with memoryview(data) as view, view.cast("B") as rest:
                    while rest:
                        rest = rest[self.send(rest, flags):]
                return None
            _sendall(self._live(), data, flags, self._timeout)

        def sendto(self, data, flags_or_address, address=_absent):
            if self._host:
                args = (data, flags_or_address) if address is _absent else (data, flags_or_address, address)
                flags = flags_or_address if address is not _absent and isinstance(flags_or_address, int) else 0
                return _call(self._live(), "sendto", args, self._wait(flags))
            self._live()
            raise OSError(106, "Transport endpoint is already connected")

        def sendmsg(self, buffers, ancdata=(), flags=0, address=None):
            fd = self._live()
            if self._host:
                args = (list(buffers), list(ancdata), flags) + (() if address is None else (address,))
                return _call(fd, "sendmsg", args, self._wait(flags))
            if address is not None:
                raise OSError(106, "Transport endpoint is already connected")
            if list(ancdata):
                raise OSError(95, "Operation not supported: the runtime's socket pairs carry no ancillary data (no descriptor passing)")
            return _send(fd, b"".join(bytes(memoryview(b)) for b in buffers), flags, self._timeout)

        def shutdown(self, how):
            if self._host:
                return _call(self._live(), "shutdown", (how,), 0.0)
            _shutdown(self._live(), how)

        def getsockname(self):
            if self._host:
                return _call(self._live(), "getsockname", (), 0.0)
            self._live()
            return ""

        def getpeername(self):
            if self._host:
                return _call(self._live(), "getpeername", (), 0.0)
            self._live()
            return ""

        def getsockopt(self, level, optname, buflen=None):
            if self._host:
                return _call(self._live(), "getsockopt", (level, optname) if buflen is None else (level, optname, buflen), 0.0)
            self._live()
            value = {3: self._type, 39: self._family, 38: self._proto, 7: 1 << 20, 8: 1 << 20}.get(optname, 0) if level == 1 else 0
            return value if buflen is None else value.to_bytes(4, "little").ljust(buflen, b"\0")[:buflen]

        def setsockopt(self, level, optname, value, optlen=None):
            if self._host:
                return _call(self._live(), "setsockopt", (level, optname, value) if optlen is None else (level, optname, value, optlen), 0.0)
            self._live()

        def bind(self, address):
            if self._host:
                return _call(self._live(), "bind", (address,), 0.0)
            _refuse("socket.bind")

        def connect(self, address):
            if self._host:
                return _call(self._live(), "connect", (address,), self._timeout)
            _refuse("socket.connect")

        def connect_ex(self, address):
            if self._host:
                return _call(self._live(), "connect_ex", (address,), self._timeout)
            _refuse("socket.connect")

        def listen(self, backlog=None):
            if self._host:
                return _call(self._live(), "listen", () if backlog is None else (backlog,), 0.0)
            _refuse("socket.listen")

        def _accept(self):
            if self._host:
                return _call(self._live(), "_accept", (), self._timeout)
            _refuse("socket.accept")

        def __repr__(self):
            return "<socket object, fd=%d, family=%d, type=%d, proto=%d>" % (self.fileno(), self._family, self._type, self._proto)

        def __getstate__(self):
            raise TypeError("cannot pickle %r object" % type(self).__name__)

    return socket


def _poll_fd(fileobj):
    if isinstance(fileobj, int):
        fd = fileobj
    else:
        try:
            fd = int(fileobj.fileno())
        except (AttributeError, TypeError, ValueError):
            raise TypeError("argument must be an int, or have a fileno() method.") from None
    if fd < 0:
        raise ValueError("file descriptor cannot be a negative integer (%d)" % fd)
    return fd


def _poll_mask(eventmask):
    # CPython's unsigned short converter.
    eventmask = eventmask.__index__()
    if eventmask < 0:
        raise ValueError("value must be positive")
    if eventmask > 0xFFFF:
        raise OverflowError("Python int too large for C unsigned short")
    return eventmask


class poll:
    """select.poll over the runtime's virtual descriptors: the wait itself is the host's (_wait). Made by select.poll()."""

    _wait = None

    def __new__(cls, *args, **kwargs):
        name = cls.__qualname__ if cls.__module__ == "builtins" else "%s.%s" % (cls.__module__, cls.__qualname__)
        raise TypeError("cannot create '%s' instances" % name)

    def register(self, fd, eventmask=0x1 | 0x2 | 0x4):
        self._registered[_poll_fd(fd)] = _poll_mask(eventmask)

    def modify(self, fd, eventmask):
        fd = _poll_fd(fd)
        if fd not in self._registered:
            raise FileNotFoundError(2, "No such file or directory")
        self._registered[fd] = _poll_mask(eventmask)

    def unregister(self, fd):
        del self._registered[_poll_fd(fd)]

    def poll(self, timeout=None):
        if timeout is not None:
            if not isinstance(timeout, (int, float)):
                timeout = timeout.__index__()
            if timeout != timeout:
                raise ValueError("Invalid value NaN (not a number)")
            # Milliseconds rounded up, in a C int, as CPython checks them; a negative timeout waits without end.
            if -(-timeout // 1) > 0x7FFFFFFF or timeout < -0x80000000:
                raise OverflowError("timeout is too large")
            timeout = None if timeout < 0 else timeout / 1000.0
        if self._polling:
            raise RuntimeError("concurrent poll() invocation")
        self._polling = True
        try:
            return self._wait(list(self._registered), list(self._registered.values()), timeout)
        finally:
            self._polling = False


def _new_poll():
    """select.poll(): the poll type itself cannot be instantiated, as CPython's."""
    self = object.__new__(poll)
    self._registered = {}
    self._polling = False
    return self


_new_poll.__name__ = _new_poll.__qualname__ = "poll"

# A static method, not a function: like CPython's builtin it does not bind when a class holds it (selectors'
# PollSelector keeps select.poll as a class attribute and calls it through self).
new_poll = staticmethod(_new_poll)


def _epoll_int(value, name):
    try:
        return value.__index__()
    except AttributeError:
        raise TypeError("'%s' must be an integer, not %s" % (name, type(value).__name__)) from None


class epoll:
    """select.epoll over the runtime's virtual descriptors: the interest list and the wait are the host's."""

    _create = None
    _control = None
    _wait = None
    _close = None
    _check = None
    _fd = -1

    def __init__(self, sizehint=-1, flags=0):
        sizehint = _epoll_int(sizehint, "sizehint")
        flags = _epoll_int(flags, "flags")
        if sizehint != -1 and sizehint <= 0:
            raise ValueError("negative sizehint")
        if flags and flags != 0x80000:
            raise OSError(22, "Invalid argument")
        self._fd = self._create()

    @classmethod
    def fromfd(cls, fd):
        fd = _epoll_int(fd, "fd")
        cls._check(fd)
        self = cls.__new__(cls)
        self._fd = fd
        return self

    def _open_fd(self):
        if self._fd < 0:
            raise ValueError("I/O operation on closed epoll object")
        return self._fd

    @property
    def closed(self):
        return self._fd < 0

    def fileno(self):
        return self._open_fd()

    def close(self):
        fd, self._fd = self._fd, -1
        if fd >= 0:
            self._close(fd)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        self._open_fd()
        return self

    def __exit__(self, *args):
        self.close()

    def register(self, fd, eventmask=0x1 | 0x2 | 0x4):
        self._control(self._open_fd(), 1, _poll_fd(fd), eventmask)

    def modify(self, fd, eventmask):
        self._control(self._open_fd(), 3, _poll_fd(fd), eventmask)

    def unregister(self, fd):
        self._control(self._open_fd(), 2, _poll_fd(fd), 0)

    def poll(self, timeout=None, maxevents=-1):
        return self._wait(self._open_fd(), timeout, maxevents)
