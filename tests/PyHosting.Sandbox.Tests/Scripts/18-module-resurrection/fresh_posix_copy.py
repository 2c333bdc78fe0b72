# family: 18
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A fresh posix from _imp.create_builtin: filtered before exec, managed after.
import _imp, importlib.machinery
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))
for name in ('open', 'system', 'read', 'write', 'listdir', 'fork', 'execv', 'kill', '_exit', 'chdir', 'umask', 'putenv'):
    assert not hasattr(fresh, name), name
_imp.exec_builtin(fresh)
assert not {b'PATH', b'HOME'} & set(fresh.environ), 'the real environment'
fresh.listdir('/data')
