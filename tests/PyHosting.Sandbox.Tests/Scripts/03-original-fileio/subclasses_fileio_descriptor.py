# family: 3
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The original type wrapping a real descriptor of the host (stdout).
import _io
original = next(c for c in _io._RawIOBase.__subclasses__() if c.__module__ == '_io' and c.__name__ == 'FileIO')
original(1, 'w').write(b'host stdout')
