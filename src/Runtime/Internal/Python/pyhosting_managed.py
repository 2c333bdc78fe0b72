# Managed backend: Python-level conveniences over the host bridge. Every check happens in the
# host: these functions only call the managed posix functions, which refuse what the permissions
# do not allow. No original OS function is reachable from here.
import _io
import posix as _posix

_O_RDONLY, _O_WRONLY, _O_RDWR = 0, 1, 2
_O_CREAT, _O_EXCL, _O_TRUNC, _O_APPEND = 0x40, 0x80, 0x200, 0x400
_O_CLOEXEC = 0x80000
_DEFAULT_BUFFER_SIZE = 8192
_SEEK_SET, _SEEK_CUR, _SEEK_END = 0, 1, 2


_MODES = {}


def _mode_flags(mode):
    """(flags, readable, writable, appending, plus, created) of a raw mode; parsed once per mode string."""
    try:
        return _MODES[mode]
    except (KeyError, TypeError):
        pass
    if not isinstance(mode, str):
        raise TypeError("invalid mode: %r" % (mode,))
    letters = set(mode)
    if len(letters) != len(mode) or not letters <= set("rwxab+t"):
        raise ValueError("invalid mode: %r" % (mode,))
    kinds = sum(c in letters for c in "rwxa")
    if kinds != 1:
        raise ValueError("Must have exactly one of create/read/write/append mode and at most one plus")
    plus = "+" in letters
    if "r" in letters:
        flags, readable, writable = (_O_RDWR if plus else _O_RDONLY), True, plus
    elif "w" in letters:
        flags, readable, writable = (_O_RDWR if plus else _O_WRONLY) | _O_CREAT | _O_TRUNC, plus, True
    elif "x" in letters:
        flags, readable, writable = (_O_RDWR if plus else _O_WRONLY) | _O_CREAT | _O_EXCL, plus, True
    else:
        flags, readable, writable = (_O_RDWR if plus else _O_WRONLY) | _O_CREAT | _O_APPEND, plus, True
    result = (flags | _O_CLOEXEC, readable, writable, "a" in letters, plus, "x" in letters)
    if len(_MODES) < 64:
        _MODES[mode] = result
    return result


class FileIO(_io._RawIOBase):
    """Raw file I/O over a virtual descriptor of the runtime (the managed io.FileIO)."""

    _fd = -1
    _closefd = True
    _tty = None

    def __init__(self, file, mode="r", closefd=True, opener=None):
        if self._fd >= 0:
            if self._closefd:
                _posix.close(self._fd)
            self._fd = -1
        if isinstance(file, float):
            raise TypeError("integer argument expected, got float")
        flags, readable, writable, appending, plus, created = _mode_flags(mode)
        self._readable, self._writable, self._appending, self._created = readable, writable, appending, created
        self._seekable = None
        self._tty = None
        fd = -1
        if isinstance(file, int):
            fd = file
            if fd < 0:
                raise ValueError("negative file descriptor")
        else:
            if not closefd:
                raise ValueError("Cannot use closefd=False with file name")
            if opener is None:
                fd = _posix.open(file, flags, 0o666)
            else:
                fd = opener(file, flags)
                if not isinstance(fd, int):
                    raise TypeError("expected integer from opener")
                if fd < 0:
                    raise ValueError("opener returned %d" % fd)
        self._fd = fd
        self._closefd = closefd
        self.name = file
        try:
            # As CPython: a directory is refused, a bad descriptor too. The descriptor table answers
            # without asking the provider for a status.
            kind = _posix._fd_kind(fd)
            if kind == 1:
                raise IsADirectoryError(21, "Is a directory", file)
            if kind == 2:
                self._seekable = True
                self._tty = False
        except OSError as e:
            if e.errno in (9, 21):
                if not isinstance(file, int):
                    _posix.close(fd)
                self._fd = -1
                raise
        if appending:
            try:
                _posix.lseek(fd, 0, _SEEK_END)
            except OSError:
                pass

    @property
    def mode(self):
        if self._created:
            return "xb+" if self._readable else "xb"
        if self._appending:
            return "ab+" if self._readable else "ab"
        if self._readable:
            return "rb+" if self._writable else "rb"
        return "wb"

    @property
    def closefd(self):
        return self._closefd

    @property
    def _blksize(self):
        return _DEFAULT_BUFFER_SIZE

    def _checkClosed(self, msg=None):
        if self._fd < 0:
            raise ValueError("I/O operation on closed file" if msg is None else msg)

    def _checkReadable(self):
        if not self._readable:
            raise _io.UnsupportedOperation("File not open for reading")

    def _checkWritable(self):
        if not self._writable:
            raise _io.UnsupportedOperation("File not open for writing")

    @property
    def closed(self):
        return self._fd < 0

    def fileno(self):
        self._checkClosed()
        return self._fd

    def readable(self):
        self._checkClosed()
        return self._readable

    def writable(self):
        self._checkClosed()
        return self._writable

    def seekable(self):
        self._checkClosed()
        if self._seekable is None:
            try:
                _posix.lseek(self._fd, 0, _SEEK_CUR)
                self._seekable = True
            except OSError:
                self._seekable = False
        return self._seekable

    def isatty(self):
        self._checkClosed()
        if self._tty is False:
            return False
        return _posix.isatty(self._fd)

    def readinto(self, buffer):
        self._checkClosed()
        self._checkReadable()
        try:
            return _posix.readinto(self._fd, buffer)
        except BlockingIOError:
            return None  # a non-blocking pipe with nothing to read, as CPython's FileIO answers

    def readall(self):
        self._checkClosed()
        self._checkReadable()
        # One read of what is left when the size is known (a seekable file), then chunks until end of file.
        size = 1 << 16
        try:
            pos = _posix.lseek(self._fd, 0, _SEEK_CUR)
            end = _posix.lseek(self._fd, 0, _SEEK_END)
            _posix.lseek(self._fd, pos, _SEEK_SET)
            if end >= pos:
                size = end - pos + 1
        except OSError:
            pass
        chunks = []
        while True:
            try:
                data = _posix.read(self._fd, size)
            except BlockingIOError:
                if not chunks:
                    return None
                break
            if not data:
                break
            chunks.append(data)
            size = 1 << 16
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def read(self, size=-1):
        if size is None or size < 0:
            return self.readall()
        self._checkClosed()
        self._checkReadable()
        try:
            return _posix.read(self._fd, size)
        except BlockingIOError:
            return None

    def write(self, b):
        self._checkClosed()
        self._checkWritable()
        try:
            return _posix.write(self._fd, b)
        except BlockingIOError:
            return None  # a full non-blocking pipe: the buffered layer raises BlockingIOError with what it wrote

    def seek(self, pos, whence=_SEEK_SET):
        if isinstance(pos, float):
            raise TypeError("an integer is required")
        self._checkClosed()
        return _posix.lseek(self._fd, pos, whence)

    def tell(self):
        self._checkClosed()
        return _posix.lseek(self._fd, 0, _SEEK_CUR)

    def truncate(self, size=None):
        self._checkClosed()
        self._checkWritable()
        if size is None:
            size = self.tell()
        _posix.ftruncate(self._fd, size)
        return size

    def close(self):
        if self._fd >= 0:
            try:
                super().close()
            finally:
                fd, self._fd = self._fd, -1
                if self._closefd:
                    _posix.close(fd)

    def _dealloc_warn(self, source):
        pass

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __getstate__(self):
        raise TypeError("cannot pickle %r object" % type(self).__name__)

    def __repr__(self):
        if self._fd < 0:
            return "<_io.FileIO [closed]>"
        return "<_io.FileIO name=%r mode=%r closefd=%r>" % (self.name, self.mode, self._closefd)


_OPEN_MODES = {}


def _open_mode(mode):
    """(binary, raw mode, 0 read / 1 write / 2 both) of an open() mode; parsed once per mode string."""
    try:
        return _OPEN_MODES[mode]
    except KeyError:
        pass
    _mode_flags(mode)
    letters = set(mode)
    binary = "b" in letters
    if binary and "t" in letters:
        raise ValueError("can't have text and binary mode at once")
    raw_mode = "".join(c for c in mode if c in "rwxa+")
    result = (binary, raw_mode, 2 if "+" in letters else 1 if letters & set("wxa") else 0)
    if len(_OPEN_MODES) < 64:
        _OPEN_MODES[mode] = result
    return result


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    if not isinstance(file, (str, bytes, int)):
        file = _posix.fspath(file)
    if not isinstance(mode, str):
        raise TypeError("open() argument 'mode' must be str, not %s" % type(mode).__name__)
    if not isinstance(buffering, int):
        raise TypeError("an integer is required")
    binary, raw_mode, kind = _open_mode(mode)
    if binary and encoding is not None:
        raise ValueError("binary mode doesn't take an encoding argument")
    if binary and errors is not None:
        raise ValueError("binary mode doesn't take an errors argument")
    if binary and newline is not None:
        raise ValueError("binary mode doesn't take a newline argument")
    if binary and buffering == 1:
        import warnings
        warnings.warn("line buffering (buffering=1) isn't supported in binary mode, the default buffer size will be used",
                      RuntimeWarning, 2)
    raw = FileIO(file, raw_mode, closefd, opener=opener)
    result = raw
    try:
        line_buffering = False
        if buffering == 1 or (buffering < 0 and raw.isatty()):
            buffering = -1
            line_buffering = True
        if buffering < 0:
            buffering = raw._blksize
        if buffering == 0:
            if binary:
                return result
            raise ValueError("can't have unbuffered text I/O")
        if kind == 2:
            buffer = _io.BufferedRandom(raw, buffering)
        elif kind == 1:
            buffer = _io.BufferedWriter(raw, buffering)
        else:
            buffer = _io.BufferedReader(raw, buffering)
        result = buffer
        if binary:
            return result
        encoding = _io.text_encoding(encoding)
        text = _io.TextIOWrapper(buffer, encoding, errors, newline, line_buffering)
        result = text
        text.mode = mode
        return result
    except:
        result.close()
        raise


def open_code(path):
    if not isinstance(path, str):
        raise TypeError("open_code() argument 'path' must be str, not %s" % type(path).__name__)
    return open(path, "rb")


class DirEntry:
    """An entry of os.scandir in the managed backend."""

    __slots__ = ("name", "path", "_kind", "_inode", "_stat", "_lstat")

    def __init__(self, name, path, kind, inode):
        self.name = name
        self.path = path
        self._kind = kind
        self._inode = inode
        self._stat = None
        self._lstat = None

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
                self._stat = _posix.stat(self.path)
            return self._stat
        if self._lstat is None:
            self._lstat = _posix.lstat(self.path)
        return self._lstat

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % (self.name,)

    @classmethod
    def __class_getitem__(cls, item):
        import types
        return types.GenericAlias(cls, item)


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def close(self):
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def make_scandir(path, entries, as_bytes):
    base = _posix.fspath(path)
    if as_bytes:
        sep = b"" if base.endswith(b"/") else b"/"
        made = [DirEntry(n.encode(), base + sep + n.encode(), k, i) for n, k, i in entries]
    else:
        sep = "" if base.endswith("/") else "/"
        made = [DirEntry(n, base + sep + n, k, i) for n, k, i in entries]
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
    """The socket type of the managed _socket: ends of the runtime's own socket pairs, on virtual descriptors.
    Every operation is a bridge function that checks the descriptor and the permissions in the host."""
    _adopt, _refuse, _recv, _recv_into, _send, _sendall = (
        ops["adopt"], ops["refuse"], ops["recv"], ops["recv_into"], ops["send"], ops["sendall"])
    _set_timeout, _shutdown, _close, _defaulttimeout = ops["settimeout"], ops["shutdown"], ops["close"], ops["getdefaulttimeout"]
    _SOCK_NONBLOCK = 0x800

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
        return value

    class socket:
        """socket(family=AF_UNIX, type=SOCK_STREAM, proto=0, fileno=None) -> socket object

        In the managed backend a socket is one end of socket.socketpair(), a byte stream between two virtual
        descriptors of the runtime. Host sockets (creating, binding, connecting, resolving names) need
        PythonRuntime:Permissions:HostSockets."""

        __slots__ = ("_fd", "_family", "_type", "_proto", "_timeout")
        __module__ = "_socket"

        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if fileno is None:
                _refuse("creating a socket")
            fd, family, type, proto = _adopt(fileno, family, type, proto)
            self._fd, self._family, self._type, self._proto = fd, family, type & ~(_SOCK_NONBLOCK | 0x80000), proto
            timeout = 0.0 if type & _SOCK_NONBLOCK else _defaulttimeout()
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
            return _recv(self._live(), bufsize, flags, self._timeout)

        def recv_into(self, buffer, nbytes=0, flags=0):
            return _recv_into(self._live(), buffer, nbytes, flags, self._timeout)

        def recvfrom(self, bufsize, flags=0):
            return self.recv(bufsize, flags), None

        def recvfrom_into(self, buffer, nbytes=0, flags=0):
            return self.recv_into(buffer, nbytes, flags), None

        def recvmsg(self, bufsize, ancbufsize=0, flags=0):
            if bufsize < 0:
                raise ValueError("negative buffer size in recvmsg()")
            return self.recv(bufsize, flags), [], 0, None

        def recvmsg_into(self, buffers, ancbufsize=0, flags=0):
            total = 0
            for b in buffers:
                n = self.recv_into(b, 0, flags)
                total += n
                if n < len(memoryview(b)):
                    break
            return total, [], 0, None

        def send(self, data, flags=0):
            return _send(self._live(), data, flags, self._timeout)

        def sendall(self, data, flags=0):
            _sendall(self._live(), data, flags, self._timeout)

        def sendto(self, data, flags_or_address, address=None):
            self._live()
            raise OSError(106, "Transport endpoint is already connected")

        def sendmsg(self, buffers, ancdata=(), flags=0, address=None):
            fd = self._live()
            if address is not None:
                raise OSError(106, "Transport endpoint is already connected")
            if list(ancdata):
                raise OSError(95, "Operation not supported: the runtime's socket pairs carry no ancillary data (no descriptor passing)")
            return _send(fd, b"".join(bytes(memoryview(b)) for b in buffers), flags, self._timeout)

        def shutdown(self, how):
            _shutdown(self._live(), how)

        def getsockname(self):
            self._live()
            return ""

        def getpeername(self):
            self._live()
            return ""

        def getsockopt(self, level, optname, buflen=None):
            self._live()
            value = {3: self._type, 39: self._family, 38: self._proto, 7: 1 << 20, 8: 1 << 20}.get(optname, 0) if level == 1 else 0
            return value if buflen is None else value.to_bytes(4, "little").ljust(buflen, b"\0")[:buflen]

        def setsockopt(self, level, optname, value, optlen=None):
            self._live()

        def bind(self, address):
            _refuse("socket.bind")

        def connect(self, address):
            _refuse("socket.connect")

        def connect_ex(self, address):
            _refuse("socket.connect")

        def listen(self, backlog=None):
            _refuse("socket.listen")

        def _accept(self):
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


class poll:
    """select.poll over the runtime's virtual descriptors: the wait itself is the host's (_wait)."""

    _wait = None

    def __init__(self):
        self._registered = {}

    def register(self, fd, eventmask=0x1 | 0x2 | 0x4):
        self._registered[_poll_fd(fd)] = int(eventmask) & 0xFFFF

    def modify(self, fd, eventmask):
        fd = _poll_fd(fd)
        if fd not in self._registered:
            raise FileNotFoundError(2, "No such file or directory")
        self._registered[fd] = int(eventmask) & 0xFFFF

    def unregister(self, fd):
        del self._registered[_poll_fd(fd)]

    def poll(self, timeout=None):
        if timeout is not None:
            if not isinstance(timeout, (int, float)):
                timeout = timeout.__index__()
            timeout = None if timeout < 0 else timeout / 1000.0
        return self._wait(list(self._registered), list(self._registered.values()), timeout)
