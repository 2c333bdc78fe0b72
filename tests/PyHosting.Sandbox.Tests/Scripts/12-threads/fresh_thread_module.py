# family: 12
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateThread
# A fresh _thread from _imp.create_builtin.
import _imp, importlib.machinery
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_thread', None))
assert not hasattr(fresh, 'start_new_thread'), 'the original is in the definition'
_imp.exec_builtin(fresh)
fresh.start_new_thread(print, ())
