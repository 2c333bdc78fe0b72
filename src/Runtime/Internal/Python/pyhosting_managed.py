# Managed backend: Python-level conveniences over the host bridge. Every check happens in the
# host: these functions only call the managed posix functions, which refuse what the permissions
# do not allow. No original OS function is reachable from here.
import posix as _posix

# The managed io.FileIO: a C-level type of the host (its methods work on the runtime's descriptors), set here by
# the host once this module has run. open() and io.open_code are host functions too.
FileIO = None


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
