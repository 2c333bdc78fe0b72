# family: 24
# expect: io.UnsupportedOperation
# A Python class named like epoll, or a dropped fresh select, frees an address a later epoll type may take:
# every real epoll type (the ones with CPython's __new__) must still refuse.
import _imp, gc, importlib.machinery
spec = importlib.machinery.ModuleSpec('select', None)
for _ in range(64):
    decoy = type('epoll', (), {'__module__': 'select'})
    fresh = _imp.create_builtin(spec)
    _imp.exec_builtin(fresh)
    del decoy, fresh
    gc.collect()
real = [t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll' and '__new__' in vars(t)]
assert real
for t in real:
    try:
        t()
        raise AssertionError('an epoll object was made')
    except OSError as e:
        assert type(e).__name__ == 'UnsupportedOperation', e
real[-1]()
