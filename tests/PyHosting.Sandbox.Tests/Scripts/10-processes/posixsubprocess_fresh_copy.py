# family: 10
# expect: ModuleNotFoundError
# A fresh _posixsubprocess from the built-in table or a re-import.
import _imp, importlib.machinery, sys
assert _imp.create_builtin(importlib.machinery.ModuleSpec('_posixsubprocess', None)) is None
del sys.modules['_posixsubprocess']
import _posixsubprocess
