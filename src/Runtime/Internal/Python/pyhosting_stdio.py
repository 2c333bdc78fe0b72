# Standard streams of an embedded runtime: text goes to the host (loggers or the caller's writers)
# through the bridge function `_write(fd, data)`. Executed once at start-up in a private namespace.
import io as _io
import sys as _sys


class _HostBinary(_io.RawIOBase):
    def __init__(self, fd, write):
        self._fd = fd
        self._write = write

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self._write(self._fd, data)
        return len(data)


class _HostText(_io.TextIOBase):
    def __init__(self, fd, name, write):
        self._fd = fd
        self._name = name
        self._write = write
        self.buffer = _HostBinary(fd, write)

    @property
    def name(self):
        return self._name

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "backslashreplace"

    @property
    def line_buffering(self):
        return True

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        self._write(self._fd, s)
        return len(s)

    def flush(self):
        pass


def install(write):
    out = _HostText(1, "<stdout>", write)
    err = _HostText(2, "<stderr>", write)
    _sys.stdout = _sys.__stdout__ = out
    _sys.stderr = _sys.__stderr__ = err
    # The runtime has no console: standard input is empty, but a text stream over bytes like CPython's own
    # (sys.stdin.buffer exists, as argparse's FileType('rb') and binary readers of '-' expect).
    _sys.stdin = _sys.__stdin__ = _io.TextIOWrapper(_io.BytesIO(b""), encoding="utf-8", line_buffering=True)
