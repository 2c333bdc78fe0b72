# family: 24
# expect: TypeError
# CPython's ScandirIterator and DirEntry read real directories: reachable as types, never as instances.
import os
scandir_iterator = next(t for t in object.__subclasses__() if t.__module__ == 'posix' and t.__qualname__ == 'ScandirIterator')
entries = list(os.scandir(os.path.dirname(os.__file__)))
assert entries
assert not any(isinstance(e, os.DirEntry) for e in entries), 'os.scandir returned CPython DirEntry objects'
for attempt in (lambda: os.DirEntry(), lambda: object.__new__(os.DirEntry)):
    try:
        attempt()
        raise AssertionError('a DirEntry was made')
    except TypeError:
        pass
scandir_iterator()
