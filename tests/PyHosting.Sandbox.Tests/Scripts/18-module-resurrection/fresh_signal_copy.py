# family: 18
# expect: io.UnsupportedOperation
# A fresh _signal from _imp.create_builtin carries the managed functions: SIGKILL raised on it is refused.
import _imp, importlib.machinery
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_signal', None))
assert not hasattr(fresh, 'raise_signal')
_imp.exec_builtin(fresh)
fresh.raise_signal(9)
