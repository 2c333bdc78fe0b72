# family: 3
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Calling __new__ and __init__ separately.
import _io
original = next(c for c in _io._RawIOBase.__subclasses__() if c.__module__ == '_io' and c.__name__ == 'FileIO')
f = original.__new__(original)
f.__init__('/data/secret.txt')
