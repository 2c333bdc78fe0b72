# family: 27
# expect: TypeError
# A fresh copy of posix from _imp.create_builtin, once executed, carries the same checked functions.
def fresh_write():
    import _imp, importlib.machinery
    copy = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))
    _imp.exec_builtin(copy)
    copy.write(1)
fresh_write()
