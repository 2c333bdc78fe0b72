# family: 3
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A subclass inherits the refusal.
import _io
original = next(c for c in _io._RawIOBase.__subclasses__() if c.__module__ == '_io' and c.__name__ == 'FileIO')
class Mine(original):
    pass
Mine('/data/secret.txt').read()
