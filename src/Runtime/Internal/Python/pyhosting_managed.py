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


# The managed io.FileIO: a C-level type of the host (its methods work on the runtime's descriptors), set here by
# the host once this module has run.
FileIO = None


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
