# family: 18
# expect: ImportError | PermissionError
# A fresh _imp loading _ctypes under another name.
import _imp, glob, importlib.machinery, types
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_imp', None))
_imp.exec_builtin(fresh)
path = glob.glob('/usr/lib/python3.11/lib-dynload/_ctypes.*.so')[0]
fresh.create_dynamic(types.SimpleNamespace(name='email._ctypes', origin=path))
