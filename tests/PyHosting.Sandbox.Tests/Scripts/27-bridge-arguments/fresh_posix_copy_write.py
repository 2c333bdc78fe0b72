# family: 27
# expect: TypeError
# A fresh copy of posix from _imp.create_builtin carries the same checked functions.
import _imp, importlib.machinery
posix = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))
posix.write(1)
