# family: 18
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# del sys.modules['posix']; import posix.
import sys
del sys.modules['posix']
import posix
assert isinstance(posix.open.__self__, int)
posix.open('/data/secret.txt', 0)
