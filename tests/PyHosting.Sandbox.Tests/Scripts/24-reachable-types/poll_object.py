# family: 24
# expect: TypeError
# select.poll objects poll real descriptors and block in C: no constructor makes one, from any copy of select.
import _imp, importlib.machinery, select
assert not hasattr(select, 'poll')
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('select', None))
_imp.exec_builtin(fresh)
assert not hasattr(fresh, 'poll')
poll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'poll')
try:
    object.__new__(poll)
    raise AssertionError('a poll object was made')
except TypeError:
    pass
poll().poll(-1)
