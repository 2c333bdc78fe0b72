# family: 24
# expect: TypeError
# CPython's select.poll objects poll real descriptors and block in C: no constructor makes one, from any copy of
# select. select.poll is the runtime's own (over virtual descriptors), in every copy.
import _imp, importlib.machinery, select
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('select', None))
_imp.exec_builtin(fresh)
assert fresh.poll is select.poll and '__new__' not in vars(select.poll)
poll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'poll' and t is not select.poll)
try:
    object.__new__(poll)
    raise AssertionError('a poll object was made')
except TypeError:
    pass
poll().poll(-1)
