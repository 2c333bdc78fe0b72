# family: 23
# expect: timeout
# A fresh _signal module resets Python's signal handlers; a backtracking match after it still ends at the timeout.
import _imp, importlib.machinery, re
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_signal', None))
_imp.exec_builtin(fresh)
re.match(r'(a+)+$', 'a' * 64 + 'b')
