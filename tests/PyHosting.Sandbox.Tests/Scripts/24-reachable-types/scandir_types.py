# family: 24
# expect: TypeError
# CPython's ScandirIterator and DirEntry read real directories: reachable as types, never as instances. os.DirEntry is
# the runtime's own entry type, which os.scandir makes and nothing else constructs.
import os
def cpython_type(name):
    return next(t for t in object.__subclasses__() if t.__module__ == 'posix' and t.__qualname__ == name)
scandir_iterator = cpython_type('ScandirIterator')
dir_entry = cpython_type('DirEntry')
entries = list(os.scandir(os.path.dirname(os.__file__)))
assert entries, 'no entries'
assert dir_entry is not os.DirEntry, 'os.DirEntry is CPython type'
assert all(isinstance(e, os.DirEntry) for e in entries), [type(e) for e in entries[:1]] + [os.DirEntry]
assert not any(isinstance(e, dir_entry) for e in entries), 'os.scandir returned CPython DirEntry objects'
for attempt in (lambda: dir_entry(), lambda: object.__new__(dir_entry), lambda: os.DirEntry()):
    try:
        attempt()
        raise AssertionError('a DirEntry was made')
    except TypeError:
        pass
scandir_iterator()
