# family: 24
# expect: io.UnsupportedOperation
# A fresh select (multi-phase) makes a new epoll type: it is refused like the first.
import _imp, importlib.machinery
before = {t for t in object.__subclasses__() if t.__qualname__ == 'epoll'}
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('select', None))
_imp.exec_builtin(fresh)
new = [t for t in object.__subclasses__() if t.__qualname__ == 'epoll' and t not in before]
assert new, 'the fresh select made no new epoll type'
new[0].fromfd(3).close()
