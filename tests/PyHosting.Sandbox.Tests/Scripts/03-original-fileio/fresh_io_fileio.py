# family: 3
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A fresh _io from _imp.create_builtin carries the managed FileIO.
import _imp, importlib.machinery
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_io', None))
fresh.FileIO('/data/secret.txt').read()
