# family: 3
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Found through _RawIOBase.__subclasses__(), opening a path.
import _io
original = next(c for c in _io._RawIOBase.__subclasses__() if c.__module__ == '_io' and c.__name__ == 'FileIO')
original('/data/secret.txt').read()
